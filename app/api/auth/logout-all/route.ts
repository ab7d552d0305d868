import { noContent } from "@/lib/http/respond";
import { apiRoute, otherMethods } from "@/lib/http/route";

/** Ends every session of the caller, this one included. */
export const POST = apiRoute(async ({ service, cookies, client, principal }) => {
  await service.logoutAll(await principal(), client);
  const response = noContent();
  cookies.clearSession(response);
  return response;
});

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
