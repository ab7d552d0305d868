import { noContent } from "@/lib/http/respond";
import { bearerToken } from "@/lib/http/request";
import { apiRoute, otherMethods } from "@/lib/http/route";

/** Ends this session. Needs only the refresh cookie (an expired access token is fine) and is idempotent. */
export const POST = apiRoute(async ({ request, service, cookies, client }) => {
  await service.logout(
    { refreshToken: cookies.refreshToken(request), accessToken: bearerToken(request) ?? cookies.accessToken(request) },
    client,
  );
  const response = noContent();
  cookies.clearSession(response, "logged_out");
  return response;
});

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
