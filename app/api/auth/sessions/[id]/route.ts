import { noContent } from "@/lib/http/respond";
import { apiRoute, otherMethods } from "@/lib/http/route";

/** Revokes one of the caller's sessions (a device). Revoking the current one signs this browser out. */
export const DELETE = apiRoute<{ id: string }>(async ({ service, cookies, client, principal }, { id }) => {
  const caller = await principal();
  await service.revokeSession(caller, id, client);
  const response = noContent();
  if (id === caller.sessionId) cookies.clearSession(response);
  return response;
});

export const { GET, POST, PUT, PATCH } = otherMethods("DELETE");
