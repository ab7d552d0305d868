// POST /api/auth/refresh: rotation, the reuse grace period, theft detection and the 403 family.
// Expiry (refresh_expired) has its own file with short lifetimes; refresh_revoked after logout, logout-all,
// device revoke and password change is covered in those files.
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  Client,
  accessClaims,
  expectAccessEndsWithin,
  expectExpiriesMatchCookies,
  expectNoStore,
  expectRefreshRefused,
  expectSessionCookiesCleared,
  registerUser,
  sleepUntil,
} from "../support/client";
import { startServer, type TestServer } from "../support/server";

let server: TestServer; // default grace: 10 s
let grace1: TestServer;
let grace0: TestServer;
beforeAll(async () => {
  [server, grace1, grace0] = await Promise.all([
    startServer(),
    startServer({ AUTH_REFRESH_REUSE_GRACE: "1" }),
    startServer({ AUTH_REFRESH_REUSE_GRACE: "0" }),
  ]);
});
afterAll(async () => {
  await Promise.all([server?.stop(), grace1?.stop(), grace0?.stop()]);
});

const refresh = (client: Client) => client.post("/api/auth/refresh");

describe("rotation", () => {
  test("answers 200 {accessTokenExpiresAt, refreshTokenExpiresAt}, replaces both cookies, and is not cacheable", async () => {
    const { client } = await registerUser(server);
    const oldRefresh = client.refreshToken;
    const response = await refresh(client);

    expect(response.status).toBe(200);
    expectNoStore(response);
    const body = await response.json();
    expect(body).toEqual({ accessTokenExpiresAt: expect.any(String), refreshTokenExpiresAt: expect.any(String) });
    expectExpiriesMatchCookies(response, body, 900);
    expect(client.refreshToken).not.toBe(oldRefresh);
  });

  test("the new access token belongs to the same user and session", async () => {
    const { client, user, sessionId } = await registerUser(server);
    expect((await refresh(client)).status).toBe(200);
    const claims = accessClaims(client.accessToken);
    expect(claims).toMatchObject({ sub: user.id, sid: sessionId });
    const me = await client.get("/api/me");
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ user: { ...user, emailVerified: false }, session: { id: sessionId } });
  });

  test("each refresh issues a fresh token, and a chain of refreshes keeps working", async () => {
    const { client } = await registerUser(server);
    const seen = new Set([client.refreshToken]);
    for (let step = 0; step < 4; step++) {
      expect((await refresh(client)).status).toBe(200);
      seen.add(client.refreshToken);
    }
    expect(seen.size).toBe(5);
  });

  test("within the grace period the spent token is accepted again and answers with the same new token", async () => {
    const { client } = await registerUser(server);
    const otherTab = client.clone();
    expect((await refresh(client)).status).toBe(200);
    const response = await refresh(otherTab);
    expect(response.status).toBe(200);
    expect(otherTab.refreshToken).toBe(client.refreshToken);
    // The session was not split or ended: the current token still rotates.
    expect((await refresh(client)).status).toBe(200);
  });

  test("20 concurrent refreshes with one token all succeed, get the same new token, and the session stays alive", async () => {
    const { client, sessionId } = await registerUser(server);
    const tabs = Array.from({ length: 20 }, () => client.clone());
    const responses = await Promise.all(tabs.map(refresh));

    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));
    const tokens = new Set(tabs.map((tab) => tab.refreshToken));
    expect(tokens.size).toBe(1);
    expect(tokens.has(client.refreshToken)).toBe(false);

    const survivor = tabs[0]!;
    expect((await refresh(survivor)).status).toBe(200);
    const me = await survivor.get("/api/me");
    expect(me.status).toBe(200);
    expect((await me.json()).session).toEqual({ id: sessionId });
    const sessions = await (await survivor.get("/api/auth/sessions")).json();
    expect(sessions.sessions.map((session: { id: string }) => session.id)).toEqual([sessionId]);
  });
});

describe("refused refreshes: 403 with both cookies cleared", () => {
  test("no refresh cookie → refresh_missing", async () => {
    await expectRefreshRefused(await refresh(new Client(server.url)), "refresh_missing");
  });

  test("only an access cookie, no refresh cookie → refresh_missing", async () => {
    const { client } = await registerUser(server);
    client.removeCookie("refresh_token");
    await expectRefreshRefused(await refresh(client), "refresh_missing");
  });

  test("a token the server never issued → refresh_invalid", async () => {
    const { client } = await registerUser(server);
    client.setCookie("refresh_token", "A".repeat(43));
    await expectRefreshRefused(await refresh(client), "refresh_invalid");
  });

  test("a tampered token (one character changed) → refresh_invalid", async () => {
    const { client } = await registerUser(server);
    const token = client.refreshToken;
    client.setCookie("refresh_token", `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`);
    await expectRefreshRefused(await refresh(client), "refresh_invalid");
  });
});

// A sibling subdomain can plant a refresh cookie of our name with Domain= (cookie tossing): the browser then
// sends both, and the Cookie header does not say which is whose. Neither may be used.
describe("two refresh cookies of our name → refresh_invalid, and neither is spent", () => {
  /** Two accounts' live refresh tokens: the attacker's planted one and the victim's own. */
  async function twoTokens() {
    const [victim, attacker] = await Promise.all([registerUser(server), registerUser(server)]);
    return { victim, attacker, cookie: `refresh_token=${attacker.client.refreshToken}; refresh_token=${victim.client.refreshToken}` };
  }

  /** Both tokens still work on their own afterwards: neither was spent or revoked. */
  async function expectBothUnspent(...clients: Client[]) {
    for (const client of clients) expect((await refresh(client)).status).toBe(200);
  }

  test.each(["planted first", "planted last"])("POST /api/auth/refresh with the planted cookie %s", async (order) => {
    const { victim, attacker } = await twoTokens();
    const pair = [attacker.client.refreshToken, victim.client.refreshToken];
    if (order === "planted last") pair.reverse();
    const response = await fetch(`${server.url}/api/auth/refresh`, {
      method: "POST",
      headers: { cookie: pair.map((token) => `refresh_token=${token}`).join("; ") },
    });
    await expectRefreshRefused(response, "refresh_invalid");
    await expectBothUnspent(victim.client, attacker.client);
  });

  test("the same in two separate Cookie header lines", async () => {
    const { victim, attacker } = await twoTokens();
    const status = await new Promise<{ status: number; setCookie: string[]; body: string }>((resolve, reject) => {
      const outgoing = httpRequest(`${server.url}/api/auth/refresh`, { method: "POST" }, (incoming) => {
        let body = "";
        incoming.on("data", (chunk) => (body += chunk));
        incoming.on("end", () => resolve({ status: incoming.statusCode ?? 0, setCookie: incoming.headers["set-cookie"] ?? [], body }));
      });
      outgoing.on("error", reject);
      outgoing.setHeader("cookie", [`refresh_token=${attacker.client.refreshToken}`, `refresh_token=${victim.client.refreshToken}`]);
      outgoing.end();
    });
    expect(status.status).toBe(403);
    expect(JSON.parse(status.body).error).toBe("refresh_invalid");
    expect(status.setCookie.some((line) => /^refresh_token=;/.test(line) && /Max-Age=0/i.test(line))).toBe(true);
    await expectBothUnspent(victim.client, attacker.client);
  });

  test("the refresh hop sends the person to log in with cookies cleared, spending neither", async () => {
    const { victim, attacker, cookie } = await twoTokens();
    const response = await fetch(`${server.url}/api/auth/refresh?next=%2Fdashboard`, { headers: { cookie }, redirect: "manual" });
    expect(response.status).toBe(303);
    expect(new URL(response.headers.get("location")!, server.url).pathname).toBe("/login");
    expectSessionCookiesCleared(response);
    await expectBothUnspent(victim.client, attacker.client);
  });

  test("logout ends the session of the access token only, and still answers 204", async () => {
    const { victim, attacker, cookie } = await twoTokens();
    const response = await fetch(`${server.url}/api/auth/logout`, {
      method: "POST",
      headers: { cookie: `${cookie}; access_token=${victim.client.accessToken}` },
    });
    expect(response.status).toBe(204);
    expect((await refresh(victim.client)).status).toBe(403);
    expect((await refresh(attacker.client)).status).toBe(200);
  });
});

describe("reuse after the grace period (AUTH_REFRESH_REUSE_GRACE=1)", () => {
  test("a spent token presented again within 1 s is still accepted", async () => {
    const { client } = await registerUser(grace1);
    const otherTab = client.clone();
    expect((await refresh(client)).status).toBe(200);
    expect((await refresh(otherTab)).status).toBe(200);
    expect(otherTab.refreshToken).toBe(client.refreshToken);
  });

  test("after the grace period the spent token gets refresh_reused, and its successor then refresh_revoked", async () => {
    const { client } = await registerUser(grace1);
    const thief = client.clone();
    expect((await refresh(client)).status).toBe(200);
    const rotatedAt = Date.now();
    const accessToken = client.accessToken;

    await sleepUntil(rotatedAt + 1_200);
    await expectRefreshRefused(await refresh(thief), "refresh_reused");
    await expectRefreshRefused(await refresh(client), "refresh_revoked");
    // The whole session is ended: its access token stops working too.
    await expectAccessEndsWithin(grace1, accessToken);
  });

  test("presenting the reused token again keeps being refused", async () => {
    const { client } = await registerUser(grace1);
    const thief = client.clone();
    expect((await refresh(client)).status).toBe(200);
    await sleepUntil(Date.now() + 1_200);
    const again = thief.clone();
    await expectRefreshRefused(await refresh(thief), "refresh_reused");
    const second = await refresh(again);
    expect(second.status).toBe(403);
    expect(["refresh_reused", "refresh_revoked"]).toContain((await second.clone().json()).error);
  });
});

describe("no grace period (AUTH_REFRESH_REUSE_GRACE=0)", () => {
  test("any second presentation of a spent token is reuse: refresh_reused, then the successor refresh_revoked", async () => {
    const { client } = await registerUser(grace0);
    const otherTab = client.clone();
    expect((await refresh(client)).status).toBe(200);
    await expectRefreshRefused(await refresh(otherTab), "refresh_reused");
    await expectRefreshRefused(await refresh(client), "refresh_revoked");
  });
});
