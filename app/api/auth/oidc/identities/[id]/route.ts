import { noContent } from "@/lib/http/respond";
import { apiRoute, otherMethods } from "@/lib/http/route";
import { ssoProvider } from "@/lib/http/sso";

/** Disconnects one of the caller's identities; 409 `sso_last_method` when it is the last way to sign in. */
export const DELETE = apiRoute<{ id: string }>(async (scope, { id }) => {
  ssoProvider(scope); // without a provider there is no single sign-on, nor this endpoint
  await scope.service.unlinkIdentity(await scope.principal(), id, scope.client);
  return noContent();
});

export const { GET, POST, PUT, PATCH } = otherMethods("DELETE");
