// POST /api/auth/login: 200 with expiries and cookies; 400 invalid_input; 401 invalid_credentials.
// Throttling (429) has its own file.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  ACCESS_COOKIE,
  Client,
  PASSWORD,
  REFRESH_COOKIE,
  accessClaims,
  accessHeader,
  expectError,
  expectExpiriesMatchCookies,
  expectNoStore,
  nowSeconds,
  registerUser,
  responseCookie,
  uniqueEmail,
  type SignedIn,
} from "../support/client";
import { startServer, type TestServer } from "../support/server";

let server: TestServer;
let secure: TestServer;
let account: SignedIn;
beforeAll(async () => {
  // The tests reach the server from 127.0.0.1, which this server takes for its HTTPS proxy.
  [server, secure] = await Promise.all([startServer({ AUTH_TRUSTED_PROXIES: "127.0.0.1" }), startServer({ AUTH_COOKIE_SECURE: "true" })]);
  account = await registerUser(server);
});
afterAll(async () => {
  await Promise.all([server?.stop(), secure?.stop()]);
});

/** Both cookies Secure and HttpOnly; a __Host- prefix also needs Path=/ and no Domain, or browsers drop it. */
function expectSecureCookies(response: Response): void {
  for (const suffix of [ACCESS_COOKIE, REFRESH_COOKIE]) {
    const cookie = responseCookie(response, suffix)!;
    expect(cookie).toMatchObject({ secure: true, httpOnly: true });
    if (cookie.name.startsWith("__Host-")) {
      expect(cookie.path).toBe("/");
      expect(cookie.domain).toBeUndefined();
    }
  }
  expect(responseCookie(response, ACCESS_COOKIE)!.path).toBe("/");
  expect(responseCookie(response, REFRESH_COOKIE)!.path).toBe("/api/auth");
}

function login(body: unknown, headers: Record<string, string> = {}) {
  return new Client(server.url).post("/api/auth/login", body, { headers });
}

describe("successful login", () => {
  test("answers 200 with {user, accessTokenExpiresAt, refreshTokenExpiresAt}, not cacheable", async () => {
    const before = Date.now();
    const response = await login({ email: account.email, password: PASSWORD });
    expect(response.status).toBe(200);
    expectNoStore(response);
    const body = await response.json();
    expect(body).toEqual({
      user: account.user,
      accessTokenExpiresAt: expect.any(String),
      refreshTokenExpiresAt: expect.any(String),
    });
    const { accessTokenExpiresAt, refreshTokenExpiresAt } = expectExpiriesMatchCookies(response, body, 900);
    // Defaults: 900 s of access, 30 days of refresh.
    expect(accessTokenExpiresAt.getTime() - before).toBeGreaterThanOrEqual(899_000);
    expect(accessTokenExpiresAt.getTime() - Date.now()).toBeLessThanOrEqual(900_000);
    expect(refreshTokenExpiresAt.getTime() - before).toBeGreaterThanOrEqual(2_592_000_000 - 1_000);
    expect(refreshTokenExpiresAt.getTime() - Date.now()).toBeLessThanOrEqual(2_592_000_000);
  });

  test("cookies are HttpOnly, SameSite, scoped (access Path=/, refresh Path=/api/auth) and not Secure over plain HTTP to 127.0.0.1", async () => {
    const response = await login({ email: account.email, password: PASSWORD });
    const access = responseCookie(response, ACCESS_COOKIE)!;
    const refresh = responseCookie(response, REFRESH_COOKIE)!;
    expect(access).toMatchObject({ httpOnly: true, sameSite: "lax", path: "/", secure: false, maxAge: 900 });
    expect(refresh).toMatchObject({ httpOnly: true, path: "/api/auth", secure: false });
    expect(refresh.maxAge).toBeGreaterThanOrEqual(2_592_000 - 2);
    expect(refresh.maxAge).toBeLessThanOrEqual(2_592_000);
  });

  test("the refresh cookie is sent to /api/auth/* but not to /api/me or pages", async () => {
    const { client } = await registerUser(server);
    expect(client.cookieHeader("/api/auth/refresh")).toContain(REFRESH_COOKIE);
    expect(client.cookieHeader("/api/auth/logout")).toContain(REFRESH_COOKIE);
    expect(client.cookieHeader("/api/me")).not.toContain(REFRESH_COOKIE);
    expect(client.cookieHeader("/dashboard")).not.toContain(REFRESH_COOKIE);
    expect(client.cookieHeader("/api/me")).toContain(ACCESS_COOKIE);
  });

  test("behind a trusted HTTPS proxy (X-Forwarded-Proto: https) both cookies are Secure", async () => {
    const response = await login({ email: account.email, password: PASSWORD }, { "x-forwarded-proto": "https" });
    expect(response.status).toBe(200);
    expectSecureCookies(response);
  });

  test("with AUTH_COOKIE_SECURE=true the cookies are Secure even over plain HTTP, and the session works with them", async () => {
    const { email } = await registerUser(secure);
    const client = new Client(secure.url);
    const response = await client.post("/api/auth/login", { email, password: PASSWORD });
    expect(response.status).toBe(200);
    expectSecureCookies(response);
    // Whatever the cookies are called, the server reads them back.
    expect((await client.get("/api/me")).status).toBe(200);
    expect((await client.post("/api/auth/refresh")).status).toBe(200);
    expect((await client.get("/api/me")).status).toBe(200);
  });

  test("the access cookie is a JWT with sub, sid, iat, exp, iss, aud and a kid header", async () => {
    const client = new Client(server.url);
    const before = nowSeconds();
    expect((await client.post("/api/auth/login", { email: account.email, password: PASSWORD })).status).toBe(200);
    const header = accessHeader(client.accessToken);
    const claims = accessClaims(client.accessToken);

    expect(header.kid).toEqual(expect.any(String));
    expect(header.kid!.length).toBeGreaterThan(0);
    expect(header.alg).not.toBe("none");
    expect(claims.sub).toBe(account.user.id);
    expect(claims.sid).toEqual(expect.any(String));
    expect(claims.iat).toBeGreaterThanOrEqual(before - 1);
    expect(claims.iat).toBeLessThanOrEqual(nowSeconds() + 1);
    expect(claims.exp! - claims.iat!).toBe(900);
    expect(claims.iss).toEqual(expect.any(String));
    expect(claims.aud).toBeDefined();

    const me = await client.get("/api/me");
    expect((await me.json()).session).toEqual({ id: claims.sid });
  });

  test("each login starts its own session with its own refresh token", async () => {
    const first = await login({ email: account.email, password: PASSWORD });
    const second = await login({ email: account.email, password: PASSWORD });
    expect(responseCookie(first, REFRESH_COOKIE)!.value).not.toBe(responseCookie(second, REFRESH_COOKIE)!.value);
    const sid = (response: Response) => accessClaims(responseCookie(response, ACCESS_COOKIE)!.value).sid;
    expect(sid(first)).not.toBe(sid(second));
  });

  test("the email is matched whatever its case and surrounding spaces", async () => {
    const response = await login({ email: `  ${account.email.toUpperCase()} `, password: PASSWORD });
    expect(response.status).toBe(200);
    expect((await response.json()).user).toEqual(account.user);
  });
});

describe("401 invalid_credentials", () => {
  test("a wrong password is refused without cookies", async () => {
    const response = await login({ email: account.email, password: "wrong password" });
    expect(response.headers.getSetCookie()).toEqual([]);
    await expectError(response, 401, "invalid_credentials");
  });

  test("an unknown email and a wrong password get byte-identical answers", async () => {
    const other = await registerUser(server);
    const unknown = await login({ email: uniqueEmail("nobody"), password: "wrong password" });
    const wrong = await login({ email: other.email, password: "wrong password" });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(await unknown.text()).toBe(await wrong.text());
    expect(unknown.headers.get("www-authenticate")).toBe(wrong.headers.get("www-authenticate"));
    expect(unknown.headers.get("content-type")).toBe(wrong.headers.get("content-type"));
  });

  test("an unknown email takes about as long as a wrong password (no user-enumeration by timing)", async () => {
    const users = await Promise.all([1, 2, 3, 4, 5].map(() => registerUser(server)));
    const timed = async (email: string) => {
      const started = performance.now();
      const response = await login({ email, password: "wrong password" });
      expect(response.status).toBe(401);
      return performance.now() - started;
    };
    await timed(uniqueEmail("warm-up"));
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (const user of users) {
      unknown.push(await timed(uniqueEmail("nobody")));
      wrong.push(await timed(user.email));
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    // A password hash costs tens of milliseconds; a lookup without one costs a few.
    expect(median(unknown)).toBeGreaterThan(median(wrong) * 0.5);
  });
});

describe("400 invalid_input", () => {
  test("a password of 129 code points is refused before any check, and does not count as a failed login", async () => {
    const { email } = await registerUser(server);
    for (let attempt = 0; attempt < 7; attempt++) {
      await expectError(await login({ email, password: "🔑".repeat(129) }), 400, "invalid_input");
    }
    expect((await login({ email, password: PASSWORD })).status).toBe(200);
  });

  test("a 129-character ASCII password is refused too", async () => {
    await expectError(await login({ email: account.email, password: "p".repeat(129) }), 400, "invalid_input");
  });

  test.each([
    ["a malformed email", { email: "not-an-email", password: PASSWORD }],
    ["an empty password", { email: "someone@example.test", password: "" }],
    ["a missing password", { email: "someone@example.test" }],
    ["a missing email", { password: PASSWORD }],
  ])("%s is refused", async (_label, body) => {
    await expectError(await login(body), 400, "invalid_input");
  });
});
