import { noContent } from "@/lib/http/respond";
import { apiRoute, otherMethods } from "@/lib/http/route";

/** Disconnects one of the caller's identities; 409 `sso_last_method` when it is the last way to sign in. */
export const DELETE = apiRoute<{ id: string }>(async ({ service, client, principal }, { id }) => {
  await service.unlinkIdentity(await principal(), id, client);
  return noContent();
});

export const { GET, POST, PUT, PATCH } = otherMethods("DELETE");
