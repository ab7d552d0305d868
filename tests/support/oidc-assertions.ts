// What the API tests of single sign-on assert about a refused callback (vitest only: the browser tests
// import oidc-provider.ts, which must not load vitest).
import { expect } from "vitest";
import { ACCESS_COOKIE, REFRESH_COOKIE, responseCookie, type Client } from "./client";

/**
 * A callback that failed as the contract says: 303 to /login?error=oidc (with `reason` when given), no
 * session cookie set, the flow cookie spent, and the browser not signed in.
 */
export async function expectSsoRefused(response: Response, client: Client, reason?: string): Promise<void> {
  expect(response.status, await response.clone().text()).toBe(303);
  const location = new URL(response.headers.get("location")!, client.baseUrl);
  expect(location.pathname).toBe("/login");
  expect(location.searchParams.get("error")).toBe("oidc");
  expect(location.searchParams.get("reason")).toBe(reason ?? null);
  expect(responseCookie(response, ACCESS_COOKIE)?.value ?? "").toBe("");
  expect(responseCookie(response, REFRESH_COOKIE)?.value ?? "").toBe("");
  expect((await client.get("/api/me")).status).toBe(401);
}
