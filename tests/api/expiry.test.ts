// Lifetimes with short settings: AUTH_ACCESS_TTL=2, AUTH_REFRESH_TTL=3 (absolute), AUTH_REFRESH_IDLE_TTL=2.
// The idle end comes first at login; after a refresh the absolute end does.
// The server tolerates 5 s of clock skew on `exp` (the contract's most), and JWT times are whole seconds.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  ACCESS_COOKIE,
  Client,
  PASSWORD,
  REFRESH_COOKIE,
  accessClaims,
  bearerMe,
  expectExpiriesMatchCookies,
  expectRefreshRefused,
  expectUnauthorized,
  registerUser,
  responseCookie,
  sleepUntil,
  type SignedIn,
} from "../support/client";
import { startServer, type TestServer } from "../support/server";

const ACCESS_TTL = 2;
const ABSOLUTE_TTL = 3;
const IDLE_TTL = 2;
const SKEW_TOLERATED = 5;

let server: TestServer;
let account: SignedIn;
beforeAll(async () => {
  server = await startServer({
    AUTH_ACCESS_TTL: String(ACCESS_TTL),
    AUTH_REFRESH_TTL: String(ABSOLUTE_TTL),
    AUTH_REFRESH_IDLE_TTL: String(IDLE_TTL),
  });
  account = await registerUser(server);
});
afterAll(async () => {
  await server?.stop();
});

interface Expiries {
  accessTokenExpiresAt: string;
  refreshTokenExpiresAt: string;
}

/** Logs in on a new client; returns it, the response body, and when the response arrived. */
async function login(): Promise<{ client: Client; body: Expiries; at: number; response: Response }> {
  const client = new Client(server.url);
  const response = await client.post("/api/auth/login", { email: account.email, password: PASSWORD });
  expect(response.status).toBe(200);
  return { client, body: await response.json(), at: Date.now(), response };
}

async function refresh(client: Client): Promise<{ response: Response; body: Expiries }> {
  const response = await client.post("/api/auth/refresh");
  const body = response.status === 200 ? await response.clone().json() : undefined;
  return { response, body };
}

describe.concurrent("short lifetimes", () => {
  test("the access cookie lives at most AUTH_ACCESS_TTL, and the token then gets 401 token_expired", async () => {
    const { client, response } = await login();
    const cookie = responseCookie(response, ACCESS_COOKIE)!;
    expect(cookie.maxAge).toBeGreaterThan(0);
    expect(cookie.maxAge).toBeLessThanOrEqual(ACCESS_TTL);
    const token = client.accessToken;
    const { exp, iat } = accessClaims(token);
    expect(exp! - iat!).toBe(ACCESS_TTL);
    expect((await client.get("/api/me")).status).toBe(200);

    await sleepUntil((exp! + SKEW_TOLERATED) * 1_000 + 300);
    await expectUnauthorized(await client.get("/api/me"), { code: "token_expired", tokenPresented: true });
    await expectUnauthorized(await bearerMe(server, token), { code: "token_expired", tokenPresented: true });
  });

  test("at login the refresh token ends at the idle end (now + AUTH_REFRESH_IDLE_TTL), the earlier of the two", async () => {
    const before = Date.now();
    const { response, body, at } = await login();
    const { refreshTokenExpiresAt } = expectExpiriesMatchCookies(response, body, ACCESS_TTL);
    expect(refreshTokenExpiresAt.getTime()).toBeGreaterThanOrEqual(before + IDLE_TTL * 1_000);
    expect(refreshTokenExpiresAt.getTime()).toBeLessThanOrEqual(at + IDLE_TTL * 1_000);
    expect(responseCookie(response, REFRESH_COOKIE)!.maxAge).toBe(IDLE_TTL);
  });

  test("a refresh token unused for AUTH_REFRESH_IDLE_TTL gets 403 refresh_expired with cookies cleared", async () => {
    const { client, body } = await login();
    await sleepUntil(new Date(body.refreshTokenExpiresAt).getTime() + 200);
    await expectRefreshRefused((await refresh(client)).response, "refresh_expired");
  });

  test("each refresh moves the idle end: a token refreshed in time keeps working past the first idle end", async () => {
    const { client, body, at } = await login();
    await sleepUntil(at + 1_200);
    expect((await refresh(client)).response.status).toBe(200);
    await sleepUntil(new Date(body.refreshTokenExpiresAt).getTime() + 300); // the login token's idle end
    expect((await refresh(client)).response.status).toBe(200);
  });

  test("no refresh succeeds after AUTH_REFRESH_TTL, however recently it was used; refreshTokenExpiresAt is then the absolute end", async () => {
    const { client, body: first, at } = await login();
    // Both ends were computed from the same instant, so the absolute end is exactly 1 s after the idle end.
    const absoluteEnd = new Date(first.refreshTokenExpiresAt).getTime() + (ABSOLUTE_TTL - IDLE_TTL) * 1_000;

    await sleepUntil(at + 1_100);
    const second = await refresh(client);
    expect(second.response.status).toBe(200);
    // now + idle would be later than the absolute end: the absolute end wins, in body and cookie.
    expect(second.body.refreshTokenExpiresAt).toBe(new Date(absoluteEnd).toISOString());
    expectExpiriesMatchCookies(second.response, second.body, ACCESS_TTL);

    await sleepUntil(at + 2_000);
    const third = await refresh(client);
    expect(third.response.status).toBe(200);
    expect(third.body.refreshTokenExpiresAt).toBe(new Date(absoluteEnd).toISOString());
    // With under a second left the cookie may say Max-Age=0; keep presenting the token anyway, as a
    // non-browser client would: it was used moments ago, so only the absolute end can refuse it.
    client.keep(responseCookie(third.response, REFRESH_COOKIE)!);

    await sleepUntil(absoluteEnd + 200);
    await expectRefreshRefused((await refresh(client)).response, "refresh_expired");
  });
});

// An access token that outlives its session's idle end (AUTH_ACCESS_TTL above AUTH_REFRESH_IDLE_TTL): the
// session is ended everywhere at that end, the same answer from /api/me as from the sessions list.
describe("an idle end before the access token's expiry", () => {
  const IDLE = 2;
  let idleServer: TestServer;
  let person: SignedIn;
  beforeAll(async () => {
    idleServer = await startServer({ AUTH_ACCESS_TTL: "600", AUTH_REFRESH_TTL: "600", AUTH_REFRESH_IDLE_TTL: String(IDLE) });
    person = await registerUser(idleServer);
  });
  afterAll(async () => {
    await idleServer?.stop();
  });

  test("a session left idle past its idle end refuses its unexpired access token and leaves its own sessions list", async () => {
    const client = new Client(idleServer.url);
    const response = await client.post("/api/auth/login", { email: person.email, password: PASSWORD });
    expect(response.status).toBe(200);
    const { refreshTokenExpiresAt } = (await response.json()) as Expiries;
    const token = client.accessToken;
    const me = await client.get("/api/me");
    expect(me.status).toBe(200);
    const { session } = (await me.json()) as { session: { id: string } };
    expect(accessClaims(token).exp! * 1_000).toBeGreaterThan(new Date(refreshTokenExpiresAt).getTime() + 60_000);

    // Past the idle end, and past any liveness answer the server may still hold from the request above.
    await sleepUntil(new Date(refreshTokenExpiresAt).getTime() + 1_200);
    await expectUnauthorized(await client.get("/api/me"), { tokenPresented: true });
    await expectUnauthorized(await bearerMe(idleServer, token), { tokenPresented: true });
    await expectUnauthorized(await client.get("/api/auth/sessions"), { tokenPresented: true });

    // Another session of the same person (live) does not list it either.
    const other = new Client(idleServer.url);
    expect((await other.post("/api/auth/login", { email: person.email, password: PASSWORD })).status).toBe(200);
    const listed = (await (await other.get("/api/auth/sessions")).json()) as { sessions: { id: string }[] };
    expect(listed.sessions.map((s) => s.id)).not.toContain(session.id);
    await expectRefreshRefused((await refresh(client)).response, "refresh_expired");
  });
});
