// Real sizes, past SQLite's 999 bound parameters: an account with more than a thousand live sessions
// ("log out of all devices", a password change and the admin commands end every one of them), a session
// refreshed over a thousand times (the cleanup removes it), and a new sign-in beyond the cap (it ends the
// least recently used). The rows are written straight into the server's database: the point is what the
// app does with them, not a thousand argon2 logins.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { MAX_LIVE_SESSIONS } from "../../lib/auth/session";
import { openDatabase, type Database } from "../../lib/db/client";
import { runAdmin } from "../support/admin-command";
import { insertRotatedSession, insertSessions, type InsertedSession } from "../support/bulk-sessions";
import { Client, PASSWORD, REFRESH_COOKIE, expectRefreshRefused, loginUser, registerUser } from "../support/client";
import { startServer, type TestServer } from "../support/server";

const MANY = 1_001;
const HOUR_MS = 3_600_000;
/** A thousand requests, or admin commands started through tsx, take a while on a loaded machine. */
const SLOW = 240_000;

let server: TestServer;
let database: Database;
beforeAll(async () => {
  // Off: the point is each session's answer, and one address asks for all of them.
  server = await startServer({ AUTH_REFRESH_RATE_LIMIT: "0" });
  database = openDatabase(server.env.DATABASE_URL!);
});
afterAll(async () => {
  await database?.close();
  await server?.stop();
});

/** `count` more sessions of the account, all used an hour ago (before any made over HTTP here). */
async function addSessions(userId: string, count = MANY): Promise<InsertedSession[]> {
  const inserted = await insertSessions(database.client, userId, count, new Date(Date.now() - HOUR_MS));
  // SQLite's driver is synchronous: while it wrote, the server may have closed idle keep-alive sockets.
  // One turn of the event loop lets fetch see those closes before it picks a socket for the next request.
  await new Promise((resolve) => setTimeout(resolve, 20));
  return inserted;
}

/** What each session's own refresh token gets now, a few requests at a time. */
async function refreshStatuses(sessions: InsertedSession[]): Promise<Map<string, number>> {
  const codes = new Map<string, number>();
  const queue = [...sessions];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const client = new Client(server.url);
      client.setCookie(REFRESH_COOKIE, next.refreshToken);
      const response = await client.post("/api/auth/refresh");
      const body = (await response.json()) as { error?: string };
      const key = `${response.status} ${body.error ?? ""}`.trim();
      codes.set(key, (codes.get(key) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return codes;
}

/** The first, the last and every 20th in between. */
const spread = <T>(items: T[]): T[] => items.filter((_, i) => i % 20 === 0 || i === items.length - 1);

const liveCount = (userId: string) => database.client.session.count({ where: { userId, revokedAt: null } });

describe(`an account with ${MANY} live sessions`, () => {
  test('"log out of all devices" answers 204 and every session\'s refresh then gets refresh_revoked', async () => {
    const { client, user } = await registerUser(server);
    const others = await addSessions(user.id);
    const current = client.clone();
    expect((await client.post("/api/auth/logout-all")).status).toBe(204);
    expect(await refreshStatuses(others)).toEqual(new Map([["403 refresh_revoked", MANY]]));
    await expectRefreshRefused(await current.post("/api/auth/refresh"), "refresh_revoked");
    expect(await liveCount(user.id)).toBe(0);
  }, SLOW);

  test("a password change ends all of them and keeps the one that made it", async () => {
    const { client, user } = await registerUser(server);
    const others = await addSessions(user.id);
    const response = await client.post("/api/auth/password", { currentPassword: PASSWORD, newPassword: "a new passphrase" });
    expect(response.status, await response.clone().text()).toBe(204);
    // Every one ended (the count); each answer is the same, so a spread of them is asked over HTTP.
    expect(await liveCount(user.id)).toBe(1);
    expect(await refreshStatuses(spread(others))).toEqual(new Map([["403 refresh_revoked", spread(others).length]]));
    expect((await client.post("/api/auth/refresh")).status).toBe(200);
    expect(await liveCount(user.id)).toBe(1);
  }, SLOW);

  test("`npm run admin -- end-sessions` and `reset-password` end all of them", async () => {
    const { email, user } = await registerUser(server);
    await addSessions(user.id);
    const databaseUrl = server.env.DATABASE_URL!;
    expect(await runAdmin(["end-sessions", email], { databaseUrl })).toMatchObject({
      status: 0,
      stdout: `${MANY + 1} sessions of ${email} ended.\n`,
    });
    expect(await liveCount(user.id)).toBe(0);

    const sessions = await addSessions(user.id);
    expect(await runAdmin(["reset-password", email], { databaseUrl, input: "a reset passphrase\n" })).toMatchObject({
      status: 0,
      stdout: `Password of ${email} changed; ${MANY} sessions ended.\n`,
    });
    expect(await refreshStatuses(spread(sessions))).toEqual(new Map([["403 refresh_revoked", spread(sessions).length]]));
    expect(await liveCount(user.id)).toBe(0);
  }, SLOW);
});

test("`npm run admin -- cleanup` removes a session refreshed over a thousand times, ended 31 days ago", async () => {
  const { user } = await registerUser(server);
  const rotations = 1_001;
  const ended = await insertRotatedSession(database.client, user.id, rotations, new Date(Date.now() - 31 * 24 * HOUR_MS));
  const result = await runAdmin(["cleanup"], { databaseUrl: server.env.DATABASE_URL! });
  expect(result, result.stderr).toMatchObject({ status: 0 });
  expect(result.stdout).toContain(`Removed 1 ended session, ${rotations + 1} refresh tokens`);
  expect(await database.client.session.findUnique({ where: { id: ended } })).toBeNull();
  expect(await database.client.refreshToken.count({ where: { sessionId: ended } })).toBe(0);
}, SLOW);

test(`a sign-in beyond ${MAX_LIVE_SESSIONS} live sessions ends the least recently used, and says so in the activity`, async () => {
  const account = await registerUser(server);
  const older = await addSessions(account.user.id, MAX_LIVE_SESSIONS);
  // MAX_LIVE_SESSIONS + 1 live now; the sign-in makes one more, so the two least recently used end.
  const { client } = await loginUser(server, account);
  expect(await liveCount(account.user.id)).toBe(MAX_LIVE_SESSIONS);
  expect(await refreshStatuses(older.slice(0, 2))).toEqual(new Map([["403 refresh_revoked", 2]]));
  expect(await refreshStatuses(older.slice(2, 3))).toEqual(new Map([["200", 1]]));
  expect((await account.client.post("/api/auth/refresh")).status).toBe(200);

  const events = ((await (await client.request("/api/auth/activity")).json()) as { events: { type: string }[] }).events;
  expect(events.slice(0, 5).map((event) => event.type)).toContain("session_limit");
});
