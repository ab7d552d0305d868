// The server-side check for pages: the same liveness check the API uses, so a page is never rendered for
// a revoked or forged session even if the middleware were bypassed (CVE-2025-29927).
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { isAuthError } from "../auth/errors";
import type { AuthService } from "../auth/service";
import type { Principal } from "../auth/types";
import { AuthCookies, type AuthState } from "./cookies";
import { authApp } from "../app/service";
import { refreshHopPath } from "./next-path";

/**
 * The signed-in person for a protected page at `path`. Without a live session it redirects through the
 * refresh endpoint, which either signs the person back in or sends them to the login page.
 */
export async function requirePageSession(path: string): Promise<{ principal: Principal; service: AuthService }> {
  // Request data first: it makes the page dynamic, so nothing is prerendered at build time.
  const [requestHeaders, requestCookies] = await Promise.all([headers(), cookies()]);
  const { service, config } = await authApp();
  const accessToken = AuthCookies.for(requestHeaders, config).accessToken(requestCookies);
  try {
    return { principal: await service.authenticate(accessToken), service };
  } catch (error) {
    // Only a missing, expired or refused token goes through the refresh hop; an outage shows the error page.
    if (isAuthError(error) && error.status === 401) redirect(refreshHopPath(path));
    throw error;
  }
}

/**
 * What this browser's cookies tell the login page: whether a session ended without the person's own
 * logout, and why its last single sign-on failed.
 */
export async function loginPageCookies(): Promise<{ authState: AuthState | undefined; ssoFailure: string | undefined }> {
  const [requestHeaders, requestCookies] = await Promise.all([headers(), cookies()]);
  const { config } = await authApp();
  const authCookies = AuthCookies.for(requestHeaders, config);
  return { authState: authCookies.state(requestCookies), ssoFailure: authCookies.ssoFailure(requestCookies) };
}
