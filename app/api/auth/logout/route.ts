import { isAuthError } from "@/lib/auth/errors";
import type { AuthCookies } from "@/lib/http/cookies";
import { noContent } from "@/lib/http/respond";
import { bearerToken } from "@/lib/http/request";
import { apiRoute, otherMethods } from "@/lib/http/route";

/**
 * Ends this session. Needs only the refresh cookie (an expired access token is fine) and is idempotent.
 * A page that names its account (`X-Account`) needs a live access token of that account: its client
 * refreshes on the 401 and retries.
 */
export const POST = apiRoute(async ({ request, service, cookies, client, assertExpectedAccount }) => {
  await assertExpectedAccount();
  await service.logout(
    { refreshToken: refreshTokenIfSingle(cookies, request), accessToken: bearerToken(request) ?? cookies.accessToken(request) },
    client,
  );
  const response = noContent();
  cookies.clearSession(response);
  return response;
});

/** Two refresh cookies name no session: logout then ends the access token's session, and still succeeds. */
function refreshTokenIfSingle(cookies: AuthCookies, request: Request): string | undefined {
  try {
    return cookies.refreshToken(request);
  } catch (error) {
    if (isAuthError(error) && error.code === "refresh_invalid") return undefined;
    throw error;
  }
}

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
