// Rotating AUTH_SECRET over real restarts of the server on one database: key A, then B with A as
// previous (nobody is signed out), then B alone (A's access tokens are refused; refresh tokens live on).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { importSigningKey } from "../../lib/auth/access-token";
import { Client, kidOf, REFRESH_COOKIE } from "../support/client";
import { startServer, type TestServer } from "../support/server";

const SECRET_A = "rotation-secret-a-that-is-at-least-32-bytes";
const SECRET_B = "rotation-secret-b-that-is-at-least-32-bytes";

const dataDir = mkdtempSync(path.join(tmpdir(), "auth-rotation-"));
const DATABASE_URL = `file:${path.join(dataDir, "app.db")}`;
let server: TestServer | undefined;

afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Restarts the server on the same database with other secrets. */
async function restart(settings: Record<string, string>): Promise<string> {
  await server?.stop();
  // A long grace period: the replay below happens across a restart of a few seconds.
  server = await startServer({ DATABASE_URL, AUTH_REFRESH_REUSE_GRACE: "120", ...settings });
  return server.url;
}

function me(url: string, accessToken: string | undefined): Promise<Response> {
  return fetch(`${url}/api/me`, { headers: { Authorization: `Bearer ${accessToken}` } });
}

test("a rotated signing key keeps everyone signed in, and retiring the old key refuses only its access tokens", async () => {
  const kidA = (await importSigningKey(SECRET_A)).kid;
  const kidB = (await importSigningKey(SECRET_B)).kid;

  // Key A: sign up, then refresh once (its successor is derived with A). A second tab keeps the spent token.
  let url = await restart({ AUTH_SECRET: SECRET_A });
  const browser = new Client(url);
  await browser.register("rotation@example.com");
  const secondTab = new Client(url);
  secondTab.setCookie(REFRESH_COOKIE, browser.refreshToken!);
  expect((await browser.post("/api/auth/refresh")).status).toBe(200);
  const accessA = browser.accessToken;
  expect(kidOf(accessA)).toBe(kidA);

  // Key B current, A previous: the A-signed access token still works, in the API and for pages.
  url = await restart({ AUTH_SECRET: SECRET_B, AUTH_PREVIOUS_SECRETS: SECRET_A });
  const meWithA = await me(url, accessA);
  expect(meWithA.status).toBe(200);
  expect(await meWithA.json()).toMatchObject({ user: { email: "rotation@example.com" } });
  const page = await fetch(`${url}/dashboard`, { headers: { Cookie: `access_token=${accessA}` }, redirect: "manual" });
  expect(page.status).toBe(200);
  expect(await page.text()).toContain("Your account");

  // The second tab replays its spent token within the grace period: the chain, derived with A, is followed.
  secondTab.baseUrl = url;
  expect((await secondTab.post("/api/auth/refresh")).status).toBe(200);
  expect(secondTab.refreshToken).toBe(browser.refreshToken);

  // A refresh now issues a B-signed access token.
  browser.baseUrl = url;
  expect((await browser.post("/api/auth/refresh")).status).toBe(200);
  const accessB = browser.accessToken;
  expect(kidOf(accessB)).toBe(kidB);
  expect(kidB).not.toBe(kidA);

  // Key B alone: A's access tokens are refused, B's work, and the refresh token still refreshes.
  url = await restart({ AUTH_SECRET: SECRET_B });
  const refused = await me(url, accessA);
  expect(refused.status).toBe(401);
  expect(refused.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
  expect((await me(url, accessB)).status).toBe(200);
  const closed = await fetch(`${url}/dashboard`, { headers: { Cookie: `access_token=${accessA}` }, redirect: "manual" });
  expect(closed.status).toBe(307);
  expect(closed.headers.get("location")).toContain("/login");
  browser.baseUrl = url;
  expect((await browser.post("/api/auth/refresh")).status).toBe(200);
  expect(kidOf(browser.accessToken)).toBe(kidB);
});
