import { json } from "@/lib/http/respond";
import { apiRoute, otherMethods } from "@/lib/http/route";
import { ssoProvider } from "@/lib/http/sso";

/** How the caller can sign in: whether the account has a password, and its connected identities. */
export const GET = apiRoute(async (scope) => {
  ssoProvider(scope); // without a provider there is no single sign-on, nor this endpoint
  const methods = await scope.service.listSignInMethods(await scope.principal());
  return json(methods);
});

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
