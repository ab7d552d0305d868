// What the API tests of single sign-on assert about a refused callback (vitest only: the browser tests
// import oidc-provider.ts, which must not load vitest).
import { expect } from "vitest";
import { ACCESS_COOKIE, REFRESH_COOKIE, responseCookie, type Client } from "./client";

const SSO_FAILURE_COOKIE = "sso_failure";

/**
 * A callback that failed as the contract says: 303 to exactly /login?error=oidc, no session cookie set, the
 * browser not signed in, and `reason` (when given) in the sso-failure cookie the login page reads.
 */
export async function expectSsoRefused(response: Response, client: Client, reason?: string): Promise<void> {
  expect(response.status, await response.clone().text()).toBe(303);
  const location = new URL(response.headers.get("location")!, client.baseUrl);
  expect(`${location.pathname}${location.search}`).toBe("/login?error=oidc");
  expect(responseCookie(response, SSO_FAILURE_COOKIE)?.value || undefined).toBe(reason);
  expect(responseCookie(response, ACCESS_COOKIE)?.value ?? "").toBe("");
  expect(responseCookie(response, REFRESH_COOKIE)?.value ?? "").toBe("");
  expect((await client.get("/api/me")).status).toBe(401);
}
