// GET /api/auth/sessions (the caller's live sessions) and DELETE /api/auth/sessions/{id} (revoke a device).
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  ACCESS_COOKIE,
  Client,
  REFRESH_COOKIE,
  expectAccessEndsWithin,
  expectError,
  expectNoStore,
  expectRefreshRefused,
  expectSessionCookiesCleared,
  expectUnauthorized,
  loginUser,
  registerUser,
  responseCookie,
  sleep,
  type SignedIn,
} from "../support/client";
import { startServer, type TestServer } from "../support/server";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

interface SessionView {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  userAgent: string | null;
  ip: string | null;
  current: boolean;
}

async function listSessions(client: Client): Promise<SessionView[]> {
  const response = await client.get("/api/auth/sessions");
  expect(response.status).toBe(200);
  return ((await response.json()) as { sessions: SessionView[] }).sessions;
}

/** One account signed in on two devices, plus another account. */
async function twoDevicesAndAStranger(): Promise<{ a: SignedIn; b: SignedIn; stranger: SignedIn }> {
  const a = await registerUser(server, { userAgent: "Device A" });
  const b = await loginUser(server, a, "Device B");
  const stranger = await registerUser(server, { userAgent: "Stranger" });
  return { a, b, stranger };
}

const revoke = (client: Client, id: string) => client.delete(`/api/auth/sessions/${encodeURIComponent(id)}`);

describe("GET /api/auth/sessions", () => {
  test("lists the caller's live sessions with id, createdAt, lastUsedAt, userAgent, ip and current", async () => {
    const started = Date.now();
    const { a, b } = await twoDevicesAndAStranger();
    const response = await a.client.get("/api/auth/sessions");
    expect(response.status).toBe(200);
    expectNoStore(response);
    const { sessions } = (await response.json()) as { sessions: SessionView[] };

    expect(sessions.map((session) => session.id).sort()).toEqual([a.sessionId, b.sessionId].sort());
    for (const session of sessions) {
      expect(Object.keys(session).sort()).toEqual(["createdAt", "current", "id", "ip", "lastUsedAt", "userAgent"]);
      for (const instant of [session.createdAt, session.lastUsedAt]) {
        expect(new Date(instant).toISOString()).toBe(instant);
        expect(new Date(instant).getTime()).toBeGreaterThanOrEqual(started - 1_000);
        expect(new Date(instant).getTime()).toBeLessThanOrEqual(Date.now() + 1_000);
      }
      expect(session.ip).toMatch(/127\.0\.0\.1|::1/);
    }
    const byId = new Map(sessions.map((session) => [session.id, session]));
    expect(byId.get(a.sessionId)).toMatchObject({ current: true, userAgent: "Device A" });
    expect(byId.get(b.sessionId)).toMatchObject({ current: false, userAgent: "Device B" });
  });

  test("marks as current the session of the token that asks", async () => {
    const { a, b } = await twoDevicesAndAStranger();
    const sessions = await listSessions(b.client);
    expect(sessions.filter((session) => session.current).map((session) => session.id)).toEqual([b.sessionId]);
    expect(sessions.find((session) => session.id === a.sessionId)?.current).toBe(false);
  });

  test("does not list sessions that were logged out", async () => {
    const { a, b } = await twoDevicesAndAStranger();
    expect((await b.client.post("/api/auth/logout")).status).toBe(204);
    expect((await listSessions(a.client)).map((session) => session.id)).toEqual([a.sessionId]);
  });

  test("a refresh moves the session's lastUsedAt forward", async () => {
    const { a } = await twoDevicesAndAStranger();
    const sessionOfA = async () => (await listSessions(a.client)).find((session) => session.id === a.sessionId)!;
    const before = await sessionOfA();
    await sleep(20);
    expect((await a.client.post("/api/auth/refresh")).status).toBe(200);
    const after = await sessionOfA();
    expect(after.createdAt).toBe(before.createdAt);
    expect(new Date(after.lastUsedAt).getTime()).toBeGreaterThan(new Date(before.lastUsedAt).getTime());
  });

  test("without an access token → 401 with a Bearer challenge", async () => {
    await expectUnauthorized(await new Client(server.url).get("/api/auth/sessions"), { tokenPresented: false });
  });

  test("with the access token of an ended session → 401 invalid_token", async () => {
    const { a } = await twoDevicesAndAStranger();
    const stale = a.client.clone();
    expect((await a.client.post("/api/auth/logout")).status).toBe(204);
    await expectUnauthorized(await stale.get("/api/auth/sessions"), { tokenPresented: true });
  });
});

describe("DELETE /api/auth/sessions/{id}", () => {
  test("revoking another device answers 204; that device's access token gets 401 and its refresh refresh_revoked", async () => {
    const { a, b } = await twoDevicesAndAStranger();
    const response = await revoke(a.client, b.sessionId);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    // Revoking another device does not sign this one out.
    expect(responseCookie(response, ACCESS_COOKIE)?.maxAge).not.toBe(0);
    expect(responseCookie(response, REFRESH_COOKIE)?.maxAge).not.toBe(0);

    await expectAccessEndsWithin(server, b.client.accessToken);
    await expectRefreshRefused(await b.client.post("/api/auth/refresh"), "refresh_revoked");
  });

  test("the revoking device stays signed in and no longer lists the revoked one", async () => {
    const { a, b } = await twoDevicesAndAStranger();
    expect((await revoke(a.client, b.sessionId)).status).toBe(204);
    expect((await a.client.get("/api/me")).status).toBe(200);
    expect((await a.client.post("/api/auth/refresh")).status).toBe(200);
    expect((await listSessions(a.client)).map((session) => session.id)).toEqual([a.sessionId]);
  });

  test("another user's session → 404 not_found, and that session keeps working", async () => {
    const { a, stranger } = await twoDevicesAndAStranger();
    await expectError(await revoke(a.client, stranger.sessionId), 404, "not_found");
    expect((await stranger.client.get("/api/me")).status).toBe(200);
    expect((await stranger.client.post("/api/auth/refresh")).status).toBe(200);
  });

  test("an id that does not exist → 404 not_found", async () => {
    const { a } = await twoDevicesAndAStranger();
    await expectError(await revoke(a.client, "00000000-0000-4000-8000-000000000000"), 404, "not_found");
    await expectError(await revoke(a.client, "not-a-session-id"), 404, "not_found");
  });

  test("revoking the current session answers 204, clears the cookies and ends it", async () => {
    const { a } = await twoDevicesAndAStranger();
    const before = a.client.clone();
    const response = await revoke(a.client, a.sessionId);
    expect(response.status).toBe(204);
    expectSessionCookiesCleared(response);
    await expectRefreshRefused(await before.post("/api/auth/refresh"), "refresh_revoked");
  });

  test("without an access token → 401, and nothing is revoked", async () => {
    const { a, b } = await twoDevicesAndAStranger();
    await expectUnauthorized(await revoke(new Client(server.url), b.sessionId), { tokenPresented: false });
    expect((await listSessions(a.client)).map((session) => session.id).sort()).toEqual(
      [a.sessionId, b.sessionId].sort(),
    );
  });
});
