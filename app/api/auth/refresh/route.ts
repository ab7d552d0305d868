import { isAuthError } from "@/lib/auth/errors";
import { DEFAULT_LANDING_PATH, loginPath, refreshHopPath, safeNextPath } from "@/lib/http/next-path";
import { redirectTo } from "@/lib/http/redirect";
import { errorPage, signedIn } from "@/lib/http/respond";
import { enforceRateLimit } from "@/lib/http/rate-limit";
import { assertSameOrigin } from "@/lib/http/request";
import { apiRoute, type RouteScope, otherMethods } from "@/lib/http/route";

/** Spends the refresh cookie for a new pair. Failures are 403s that also clear the cookies. */
export const POST = apiRoute(async (scope) => {
  const issued = await refresh(scope);
  return signedIn(issued, scope.cookies, { withUser: false });
});

/**
 * The middleware's transparent refresh: a page navigation whose access token has expired is sent here
 * (the only place the refresh cookie's path reaches), rotated, and sent back to `next`. When the session
 * has truly ended, the person lands on the login page, which says so. Any other failure (429 from the
 * per-address bound, 503 during an outage) is a page with the message and a link to try again: a person
 * navigated here, so raw JSON would be all they saw.
 */
export const GET = apiRoute(async (scope) => {
  const { request, cookies, config } = scope;
  const next = safeNextPath(request.nextUrl.searchParams.get("next")) ?? DEFAULT_LANDING_PATH;
  try {
    // A GET that rotates is still state-changing: one another site started (a link to a protected page,
    // followed through the middleware's redirect) gets the contract's 403, as a page that goes on at once
    // from our own origin, so the person still arrives and nothing was spent on the other site's say-so.
    assertSameOrigin(request, config);
    const issued = await refresh(scope);
    const response = redirectTo(request, next, 303);
    cookies.setSession(response, issued);
    return response;
  } catch (error) {
    if (isAuthError(error) && error.code === "csrf_rejected") return errorPage(error, refreshHopPath(next), { goOn: true });
    if (!(isAuthError(error) && error.endsSession)) return errorPage(error, refreshHopPath(next));
    const response = redirectTo(request, loginPath(next), 303);
    cookies.endSession(response, request);
    return response;
  }
});

async function refresh({ request, service, config, cookies, client }: RouteScope) {
  await enforceRateLimit("refresh", client.ip, config);
  return service.refresh(cookies.refreshToken(request), client);
}

export const { PUT, PATCH, DELETE } = otherMethods("GET", "POST");
