// The assertions the API test files share (vitest): the contract's error shape, the 401 challenge, the
// cookies' flags and their clearing, expiries, and a revoked access token's end within a second.
import { expect } from "vitest";
import { ACCESS_COOKIE, REFRESH_COOKIE, responseCookie, type SetCookie } from "./cookie-jar";
import type { TestServer } from "./server";
import { bearerMe, sleep } from "./tokens";

/** Status and the error body `{error, message}` (exactly those keys, a readable message, no stack trace). */
export async function expectError(response: Response, status: number, code: string): Promise<void> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { error: unknown; message: unknown };
  expect(body).toEqual({ error: code, message: expect.any(String) });
  expect((body.message as string).trim().length).toBeGreaterThan(0);
  expect(body.message).not.toMatch(/\n\s+at |Error:|prisma|undefined/i);
}

/** A 401 with its Bearer challenge; `error="invalid_token"` exactly when a token was presented. */
export async function expectUnauthorized(
  response: Response,
  options: { code?: "unauthorized" | "token_expired"; tokenPresented: boolean },
): Promise<void> {
  const challenge = response.headers.get("www-authenticate");
  await expectError(response, 401, options.code ?? "unauthorized");
  expect(challenge).toMatch(/^Bearer\b/);
  if (options.tokenPresented) expect(challenge).toContain('error="invalid_token"');
  else expect(challenge).not.toContain("error=");
}

/** Both auth cookies cleared: empty, Max-Age=0, and on the paths they were set on (else nothing is cleared). */
export function expectSessionCookiesCleared(response: Response): void {
  const access = responseCookie(response, ACCESS_COOKIE);
  const refresh = responseCookie(response, REFRESH_COOKIE);
  expect(access, "access cookie cleared").toMatchObject({ value: "", maxAge: 0, path: "/" });
  expect(refresh, "refresh cookie cleared").toMatchObject({ value: "", maxAge: 0, path: "/api/auth" });
}

export function expectNoStore(response: Response): void {
  expect(response.headers.get("cache-control") ?? "").toMatch(/\bno-store\b/);
}

/** A refresh refusal: 403 with `code`, and both cookies cleared. */
export async function expectRefreshRefused(response: Response, code: string): Promise<void> {
  expectSessionCookiesCleared(response);
  await expectError(response, 403, code);
}

/** Both cookies set with the contract's flags; returns them. */
export function expectSessionCookieFlags(response: Response, accessTtl: number): { access: SetCookie; refresh: SetCookie } {
  const access = responseCookie(response, ACCESS_COOKIE);
  const refresh = responseCookie(response, REFRESH_COOKIE);
  if (!access || !refresh) throw new Error(`both cookies should be set, got: ${response.headers.getSetCookie().join(" | ")}`);
  expect(access).toMatchObject({ httpOnly: true, sameSite: "lax", path: "/" });
  expect(access.value.split(".")).toHaveLength(3);
  expect(access.maxAge).toBeGreaterThan(0);
  expect(access.maxAge).toBeLessThanOrEqual(accessTtl);
  expect(refresh).toMatchObject({ httpOnly: true, path: "/api/auth" });
  expect(["strict", "lax"]).toContain(refresh.sameSite);
  expect(refresh.value.length).toBeGreaterThanOrEqual(43); // 256 bits, base64url or longer
  expect(refresh.value).not.toContain("."); // opaque, not a JWT
  expect(refresh.maxAge).toBeGreaterThan(0);
  return { access, refresh };
}

/**
 * A signed-in response's body expiries (ISO 8601) match its cookies: each Max-Age is the seconds until the
 * matching instant, within 2 s. Returns the instants.
 */
export function expectExpiriesMatchCookies(
  response: Response,
  body: { accessTokenExpiresAt: unknown; refreshTokenExpiresAt: unknown },
  accessTtl: number,
): { accessTokenExpiresAt: Date; refreshTokenExpiresAt: Date } {
  const { access, refresh } = expectSessionCookieFlags(response, accessTtl);
  expect(body.accessTokenExpiresAt).toEqual(expect.any(String));
  expect(body.refreshTokenExpiresAt).toEqual(expect.any(String));
  const accessTokenExpiresAt = new Date(body.accessTokenExpiresAt as string);
  const refreshTokenExpiresAt = new Date(body.refreshTokenExpiresAt as string);
  expect(accessTokenExpiresAt.toISOString()).toBe(body.accessTokenExpiresAt);
  expect(refreshTokenExpiresAt.toISOString()).toBe(body.refreshTokenExpiresAt);
  const secondsUntil = (instant: Date) => (instant.getTime() - Date.now()) / 1000;
  expect(Math.abs(access.maxAge! - secondsUntil(accessTokenExpiresAt))).toBeLessThanOrEqual(2);
  expect(Math.abs(refresh.maxAge! - secondsUntil(refreshTokenExpiresAt))).toBeLessThanOrEqual(2);
  return { accessTokenExpiresAt, refreshTokenExpiresAt };
}

/** Polls `GET /api/me` with `token` until it is refused; fails unless that happens within `withinMs`. */
export async function expectAccessEndsWithin(server: TestServer, token: string, withinMs = 1_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  let last: Response;
  for (;;) {
    last = await bearerMe(server, token);
    if (last.status !== 200 || Date.now() >= deadline) break;
    await sleep(50);
  }
  await expectUnauthorized(last, { tokenPresented: true });
}

/** The JSON lines a server wrote, parsed. */
export function jsonLogLines(output: string): Record<string, unknown>[] {
  return output
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
