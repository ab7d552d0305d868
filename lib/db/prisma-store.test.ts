// The store's own guarantees over a real, migrated database (SQLite here, PostgreSQL in the unit-pg
// project): filters, subjects and transactions, and the driver-level queries of session-queries.ts against
// rows Prisma wrote (and the other way round). Run in a time zone far from UTC, so that a date read or
// written in local time shows.
process.env.TZ = "Pacific/Kiritimati"; // UTC+14

import BetterSqlite3 from "better-sqlite3";
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MAX_DEVICES_PER_ACCOUNT } from "../auth/devices";
import { liveSessionSql, MAX_LIVE_SESSIONS, sessionValidity } from "../auth/session";
import type { LoginLogEntry, LoginReservation, NewRefreshToken, SessionRecord } from "../auth/store";
import { AccountAdmin } from "../auth/admin";
import { loadAuthConfig } from "../auth/config";
import { pruneRequest } from "../auth/retention";
import { insertRotatedSession, insertSessions } from "../../tests/support/bulk-sessions";
import { openTempDatabase, type TempDatabase } from "../../tests/support/temp-database";

const T0 = new Date("2030-01-01T00:00:00.000Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

let database: TempDatabase;

beforeEach(() => {
  database = openTempDatabase();
});

afterEach(async () => {
  await database.dispose();
});

async function createUser(email: string): Promise<string> {
  const id = randomUUID();
  await database.store.createUser({ id, email, passwordHash: "hash" }, T0);
  return id;
}

/** A live session for `userId` with one refresh token whose hash is `tokenHash`. */
async function createSession(userId: string, tokenHash: string = randomUUID()): Promise<SessionRecord> {
  const session: SessionRecord = {
    id: randomUUID(),
    userId,
    createdAt: T0,
    lastUsedAt: T0,
    absoluteExpiresAt: at(3600),
    idleExpiresAt: at(3600),
    revokedAt: null,
    revokedReason: null,
    userAgent: null,
    ip: null,
  };
  const token: NewRefreshToken = {
    id: randomUUID(),
    sessionId: session.id,
    tokenHash,
    replacesId: null,
    generation: 0,
    issuedAt: T0,
  };
  await database.store.createSession(session, token, MAX_LIVE_SESSIONS);
  return session;
}

describe("PrismaAuthStore", () => {
  it("returns null instead of throwing when an email is taken", async () => {
    await createUser("a@example.com");
    expect(await database.store.createUser({ id: randomUUID(), email: "a@example.com", passwordHash: "h" }, T0)).toBeNull();
  });

  it("revokes all of a user's sessions except one, and only that user's", async () => {
    const alice = await createUser("a@example.com");
    const bob = await createUser("b@example.com");
    const [kept, other1, other2] = [await createSession(alice), await createSession(alice), await createSession(alice)];
    const bobs = await createSession(bob);

    const revoked = await database.store.revokeSessions({ userId: alice, exceptSessionId: kept!.id }, "password_change", at(10));
    expect(revoked).toBe(2);
    expect((await database.store.findSession(other2!.id))?.session.revokedReason).toBe("password_change");
    expect((await database.store.listLiveSessions(alice, at(10))).map((s) => s.id)).toEqual([kept!.id]);
    expect((await database.store.findSession(bobs.id))?.session.revokedAt).toBeNull();
    expect((await database.store.findSession(other1!.id))?.session).toMatchObject({
      revokedAt: at(10),
      revokedReason: "password_change",
    });
  });

  it("does not revoke a session twice, and never one of another user when a user is given", async () => {
    const alice = await createUser("a@example.com");
    const bob = await createUser("b@example.com");
    const session = await createSession(alice);
    expect(await database.store.revokeSessions({ sessionId: session.id, userId: bob }, "device_revoked", at(1))).toBe(0);
    expect(await database.store.revokeSessions({ sessionId: session.id }, "logout", at(2))).toBe(1);
    expect(await database.store.revokeSessions({ sessionId: session.id }, "logout", at(3))).toBe(0);
    expect((await database.store.findSession(session.id))?.session.revokedAt).toEqual(at(2));
  });

  it("reads a user's activity newest first through the driver, by type and time, and leaves out unknown types", async () => {
    const alice = await createUser("a@example.com");
    const bob = await createUser("b@example.com");
    const event = (userId: string, type: string, seconds: number) => ({ userId, type, createdAt: at(seconds), ip: "192.0.2.1", userAgent: "UA", sessionId: null });
    // Two at the same instant: the later insert comes first.
    await database.db.securityEvent.createMany({
      data: [event(alice, "sign_in", 1), event(alice, "new_device", 2), event(alice, "refresh_reused", 2), event(alice, "from_a_newer_version", 3), event(bob, "new_device", 4)],
    });
    const types = (events: { type: string }[]) => events.map((e) => e.type);
    expect(types(await database.store.listSecurityEvents(alice, 10))).toEqual(["refresh_reused", "new_device", "sign_in"]);
    expect(types(await database.store.listSecurityEvents(alice, 2))).toEqual(["refresh_reused"]); // the unknown one counted in the limit
    expect(types(await database.store.listSecurityEvents(alice, 10, { types: ["new_device", "sign_in"] }))).toEqual(["new_device", "sign_in"]);
    expect(types(await database.store.listSecurityEvents(alice, 10, { since: at(2) }))).toEqual(["refresh_reused", "new_device"]);
    expect(await database.store.listSecurityEvents(alice, 10, { types: ["new_device"], since: at(2) })).toEqual([
      { userId: alice, type: "new_device", createdAt: at(2), ip: "192.0.2.1", userAgent: "UA", sessionId: null },
    ]);
  });

  it("reads a user's identities oldest link first, and the user by email, through the driver", async () => {
    const alice = await createUser("a@example.com");
    const identity = (subject: string, seconds: number) => ({ id: `id-${subject}`, userId: alice, issuer: "https://idp.example", subject, email: null, linkedAt: at(seconds), lastUsedAt: at(seconds + 1) });
    await database.db.identity.createMany({ data: [identity("later", 5), identity("first", 1)] });
    expect(await database.store.listIdentities(alice)).toEqual([identity("first", 1), identity("later", 5)]);
    expect(await database.store.findUserByEmail("a@example.com")).toEqual({ id: alice, email: "a@example.com", passwordHash: "hash", emailVerifiedAt: null, credentialVersion: 0 });
    expect(await database.store.findUserByEmail("nobody@example.com")).toBeNull();
  });

  describe("at real sizes: past SQLite's 999 bound parameters", () => {
    const MANY = 1_500;

    it("revokes every live session of an account in one statement, except the one kept", async () => {
      const alice = await createUser("a@example.com");
      const bob = await createUser("b@example.com");
      const [kept] = await insertSessions(database.db, alice, MANY, T0);
      await insertSessions(database.db, bob, 3, T0);
      expect(await database.store.revokeSessions({ userId: alice, exceptSessionId: kept!.id }, "logout_all", at(1))).toBe(MANY - 1);
      expect((await database.store.listLiveSessions(alice, at(1))).map((s) => s.id)).toEqual([kept!.id]);
      expect(await database.store.revokeSessions({ userId: alice }, "logout_all", at(2))).toBe(1);
      expect(await database.db.session.count({ where: { userId: alice, revokedAt: null } })).toBe(0);
      expect(await database.db.session.count({ where: { userId: bob, revokedAt: null } })).toBe(3);
    });

    it("sets a new password and ends the account's sessions in one transaction", async () => {
      const alice = await createUser("a@example.com");
      const [kept] = await insertSessions(database.db, alice, MANY, T0);
      const ended = await database.store.updatePasswordAndRevoke({
        userId: alice,
        passwordHash: "new-hash",
        reason: "password_change",
        keepSessionId: kept!.id,
        now: at(1),
      });
      expect(ended).toBe(MANY - 1);
      expect(await database.db.user.findUnique({ where: { id: alice } })).toMatchObject({ passwordHash: "new-hash", credentialVersion: 1 });
      expect(await database.db.session.count({ where: { userId: alice, revokedAt: null } })).toBe(1);
      expect(await database.db.session.count({ where: { userId: alice, revokedReason: "password_change" } })).toBe(MANY - 1);
    });

    it("caps an account's live sessions: a new one ends the least recently used beyond the cap", async () => {
      const alice = await createUser("a@example.com");
      // Inserted directly, as an account from before the cap would have them: one above the cap.
      const sessions = await insertSessions(database.db, alice, MAX_LIVE_SESSIONS + 1, T0);
      const newest = await createSession(alice);
      const live = new Set((await database.store.listLiveSessions(alice, at(1))).map((s) => s.id));
      expect(live.size).toBe(MAX_LIVE_SESSIONS);
      expect(live.has(newest.id)).toBe(true);
      // insertSessions makes each one used a millisecond after the one before: the first two are the least recent.
      expect(live.has(sessions[0]!.id) || live.has(sessions[1]!.id)).toBe(false);
      expect(await database.db.session.findUnique({ where: { id: sessions[0]!.id } })).toMatchObject({ revokedReason: "session_limit" });
      expect(live.has(sessions[2]!.id)).toBe(true);
    });
  });

  /** The database's plan for `sql`, as text (PostgreSQL's from fresh statistics, as a planner in service would have). */
  async function queryPlan(sql: string): Promise<string> {
    if (database.dialect === "sqlite") {
      return (await database.db.$queryRawUnsafe<{ detail: string }[]>(`EXPLAIN QUERY PLAN ${sql}`)).map((row) => row.detail).join("\n");
    }
    await database.db.$executeRawUnsafe('ANALYZE "Session"');
    return (await database.db.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(`EXPLAIN ${sql}`)).map((row) => row["QUERY PLAN"]).join("\n");
  }

  it("reads an account's live sessions without visiting the ended ones kept for the retention period", async () => {
    const alice = await createUser("a@example.com");
    await insertSessions(database.db, alice, 5_000, T0);
    await database.store.revokeSessions({ userId: alice }, "logout_all", at(1));
    const live = await insertSessions(database.db, alice, 3, at(2));
    expect((await database.store.listLiveSessions(alice, at(2))).map((s) => s.id).sort()).toEqual(live.map((s) => s.id).sort());
    // The account's-live-sessions condition every such statement uses (the cap at sign-in, the list, sign-out everywhere).
    const where = `"userId" = '${alice}' AND ${liveSessionSql("'2030-01-02'", "'2030-01-02'")}`;
    const text = await queryPlan(`SELECT "id" FROM "Session" WHERE ${where}`);
    expect(text).toContain("Session_userId_revokedAt_idx");
    // Both columns are the index's search key, not only the account: the ended rows are never read.
    expect(text).toMatch(database.dialect === "sqlite" ? /\(userId=\? AND revokedAt=\?\)/ : /Index Cond: .*"revokedAt" IS NULL/);
  });

  describe("cleanup at real sizes", () => {
    const DAY_S = 86_400;
    // The defaults: AUTH_CLEANUP_BATCH=1000 and 30 days' retention.
    const config = loadAuthConfig({});

    it("removes a session refreshed over a thousand times, ended 31 days ago, with all its tokens", async () => {
      const alice = await createUser("a@example.com");
      const ended = await insertRotatedSession(database.db, alice, 1_100, at(-31 * DAY_S));
      const live = await createSession(alice);

      const first = await database.store.prune(pruneRequest(config, T0));
      expect(first).toMatchObject({ refreshTokens: 1_000, sessions: 0 });
      const second = await database.store.prune(pruneRequest(config, T0));
      expect(second).toMatchObject({ refreshTokens: 101, sessions: 1 });
      expect(await database.db.session.findUnique({ where: { id: ended } })).toBeNull();
      expect(await database.db.refreshToken.count({ where: { sessionId: ended } })).toBe(0);
      expect(await database.db.refreshToken.count({ where: { sessionId: live.id } })).toBe(1);
    });

    it("`cleanup` (the admin command's passes) clears such a backlog in one run", async () => {
      const alice = await createUser("a@example.com");
      await insertRotatedSession(database.db, alice, 2_100, at(-31 * DAY_S));
      const admin = new AccountAdmin({ store: database.store, config, clock: () => T0 });
      expect(await admin.cleanup()).toMatchObject({ refreshTokens: 2_101, sessions: 1 });
      expect(await database.db.refreshToken.count()).toBe(0);
    });
  });

  it("lists only sessions that are neither revoked, past their end, nor idle", async () => {
    const alice = await createUser("a@example.com");
    const live = await createSession(alice);
    await createSession(alice); // becomes idle below
    const idle = (await database.store.listLiveSessions(alice, T0)).find((s) => s.id !== live.id)!;
    await database.db.session.update({ where: { id: idle.id }, data: { idleExpiresAt: at(5) } });
    expect((await database.store.listLiveSessions(alice, at(5))).map((s) => s.id)).toEqual([live.id]);
    expect(await database.store.listLiveSessions(alice, at(3600))).toEqual([]);
  });

  it("selects live and ended sessions exactly as sessionValidity judges them, over generated session states", async () => {
    const offset = fc.integer({ min: -3_000, max: 3_000 });
    const state = fc.record({ absolute: offset, idle: offset, revokedBefore: fc.option(fc.integer({ min: 1, max: 3_000 }), { nil: null }) });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(state, { minLength: 1, maxLength: 12 }), async (states) => {
        const userId = await createUser(`u${run++}@example.com`);
        const now = at(10);
        const sessions: SessionRecord[] = [];
        for (const { absolute, idle, revokedBefore } of states) {
          const session = await createSession(userId);
          const ends = {
            absoluteExpiresAt: new Date(now.getTime() + absolute),
            idleExpiresAt: new Date(now.getTime() + idle),
            revokedAt: revokedBefore === null ? null : new Date(now.getTime() - revokedBefore),
          };
          await database.db.session.update({ where: { id: session.id }, data: ends });
          sessions.push({ ...session, ...ends });
        }
        const liveAt = (instant: Date) => sessions.filter((s) => sessionValidity(s, instant) === "live").map((s) => s.id).sort();
        const listed = (await database.store.listLiveSessions(userId, now)).map((s) => s.id).sort();
        expect(listed).toEqual(liveAt(now));
        const [summary] = (await database.store.listUsers(now)).filter((user) => user.id === userId);
        expect(summary?.liveSessions).toBe(liveAt(now).length);
        // Retention deletes what had ended before the instant it is given, and keeps the rest.
        await database.store.prune({
          sessionsEndedBefore: now,
          loginFailuresBefore: T0,
          securityEventsBefore: T0,
          emailTokensExpiredBefore: T0,
          devicesUnseenBefore: T0,
          limit: 10_000,
        });
        const kept = (await database.db.session.findMany({ where: { userId }, select: { id: true } })).map((s) => s.id).sort();
        expect(kept).toEqual(liveAt(new Date(now.getTime() - 1)));
      }),
      { numRuns: 25 },
    );
  });

  describe("the login-failure log", () => {
    /** The log as a reservation at `at` reads it (reserving nothing). */
    async function logOf(subjects: string[], since: Date): Promise<Map<string, LoginLogEntry[]>> {
      let seen = new Map<string, LoginLogEntry[]>();
      await database.store.reserveLoginAttempt(subjects, since, at(100), (log) => ((seen = log), 1));
      return seen;
    }

    async function reserve(subjects: string[], when: Date): Promise<LoginReservation> {
      const outcome = await database.store.reserveLoginAttempt(subjects, T0, when, () => 0);
      if (!("reservation" in outcome)) throw new Error("refused");
      return outcome.reservation;
    }

    it("reads entries per subject after `since`, pending until settled, and writes nothing when refused", async () => {
      await database.store.recordLoginFailure(await reserve(["email:a", "ip:1"], at(1)), at(1));
      await database.store.recordLoginFailure(await reserve(["email:a"], at(2)), at(2));
      const inFlight = await reserve(["email:b"], at(3));
      const log = await logOf(["email:a", "ip:1", "email:b"], at(1));
      expect(log.get("email:a")).toEqual([{ at: at(2), pending: false }]); // strictly after `since`
      expect(log.has("ip:1")).toBe(false);
      expect(log.get("email:b")).toEqual([{ at: at(3), pending: true }]);
      expect((await logOf(["ip:1"], T0)).get("ip:1")).toEqual([{ at: at(1), pending: false }]);
      expect(await database.db.loginFailure.count()).toBe(4); // the refused reads wrote nothing

      await database.store.releaseLoginAttempt(inFlight);
      expect((await logOf(["email:b"], T0)).has("email:b")).toBe(false);
    });

    it("a success clears its own entries and its subject's failures, never another attempt's pending entry", async () => {
      await database.store.recordLoginFailure(await reserve(["email:a", "ip:1"], at(1)), at(1));
      const other = await reserve(["email:a", "ip:2"], at(2));
      const mine = await reserve(["email:a", "ip:3"], at(3));
      await database.store.clearLoginFailures(mine, "email:a");
      const log = await logOf(["email:a", "ip:1", "ip:2", "ip:3"], T0);
      expect(log.get("email:a")).toEqual([{ at: at(2), pending: true }]);
      expect(log.get("ip:1")).toEqual([{ at: at(1), pending: false }]);
      expect(log.has("ip:3")).toBe(false);
      await database.store.recordLoginFailure(other, at(4));
      expect((await logOf(["email:a"], T0)).get("email:a")).toEqual([{ at: at(4), pending: false }]);
    });

    it("admits exactly `max` of many concurrent reservations for one subject", async () => {
      const admit = (log: Map<string, LoginLogEntry[]>) => ((log.get("email:a")?.length ?? 0) >= 5 ? 60 : 0);
      const outcomes = await Promise.all(
        Array.from({ length: 40 }, (_, i) => database.store.reserveLoginAttempt(["email:a", `ip:${i}`], T0, at(1), admit)),
      );
      expect(outcomes.filter((outcome) => "reservation" in outcome)).toHaveLength(5);
      expect(outcomes.filter((outcome) => "retryAfter" in outcome && outcome.retryAfter === 60)).toHaveLength(35);
    });

    it("lets waiting reservations of different requesters take turns: another address's is not kept behind one address's backlog", async () => {
      const done: string[] = [];
      const reserve = (requester: string, i: number) =>
        database.store.reserveLoginAttempt([`email:${i}@${requester}`, requester], T0, at(1), () => 0, requester).then(() => done.push(requester));
      const flood = Array.from({ length: 20 }, (_, i) => reserve("ip:flood", i));
      await Promise.all([...flood, reserve("ip:person", 0)]);
      // Two run at once; of the rest, the person's goes after at most one more of the flood's, not after all 18.
      expect(done.indexOf("ip:person")).toBeLessThanOrEqual(3);
      expect(done).toHaveLength(21);
    });
  });

  describe("refresh-token operations", () => {
    it("finds nothing for an unknown hash", async () => {
      expect(await database.store.findRefreshTokenWithSession("unknown")).toBeNull();
    });

    it("rotate once: spend the token, store its successor and move the session's use times; a second rotation loses", async () => {
      const session = await createSession(await createUser("a@example.com"), "h0");
      const read = await database.store.findRefreshTokenWithSession("h0");
      expect(read).toMatchObject({ token: { tokenHash: "h0", spentAt: null, generation: 0 }, found: { session: { id: session.id } } });
      const rotation = (tokenHash: string) => ({
        spentId: read!.token.id,
        successor: { id: randomUUID(), sessionId: session.id, tokenHash, replacesId: read!.token.id, generation: 1, issuedAt: at(60) },
        now: at(60),
        idleExpiresAt: at(1800),
        dropSpentBelow: null,
      });
      expect(await database.store.rotateRefreshToken(rotation("h1"))).toBe(true);
      expect(await database.store.rotateRefreshToken(rotation("h2"))).toBe(false);
      expect((await database.store.findRefreshTokenWithSession("h0"))?.token.spentAt).toEqual(at(60));
      expect((await database.store.findRefreshTokenWithSession("h1"))?.token).toMatchObject({ spentAt: null, generation: 1 });
      expect(await database.store.findRefreshTokenWithSession("h2")).toBeNull();
      expect((await database.store.findSession(session.id))?.session).toMatchObject({ lastUsedAt: at(60), idleExpiresAt: at(1800) });
    });
  });
});

async function signedIn(tokenHash = "h0") {
  const userId = randomUUID();
  await database.store.createUser({ id: userId, email: `${userId}@example.com`, passwordHash: "hash" }, T0);
  const session: SessionRecord = {
    id: randomUUID(),
    userId,
    createdAt: T0,
    lastUsedAt: at(1),
    absoluteExpiresAt: at(3600),
    idleExpiresAt: at(1800),
    revokedAt: null,
    revokedReason: null,
    userAgent: "Firefox",
    ip: "192.0.2.1",
  };
  const token: NewRefreshToken = { id: randomUUID(), sessionId: session.id, tokenHash, replacesId: null, generation: 0, issuedAt: T0 };
  await database.store.createSession(session, token, MAX_LIVE_SESSIONS);
  return { session, token, email: `${userId}@example.com` };
}

function successorOf(token: NewRefreshToken, tokenHash: string, now: Date): NewRefreshToken {
  return { id: randomUUID(), sessionId: token.sessionId, tokenHash, replacesId: token.id, generation: token.generation + 1, issuedAt: now };
}

describe("session queries", () => {
  it("runs in a time zone other than UTC", () => {
    expect(T0.getTimezoneOffset()).toBe(-14 * 60);
  });

  it("read a session and a token exactly as Prisma wrote them", async () => {
    const { session, token, email } = await signedIn();
    expect(await database.queries.findSession(session.id)).toEqual({ session, user: { id: session.userId, email, emailVerified: false } });
    expect(await database.queries.findRefreshToken("h0")).toEqual({
      token: { ...token, spentAt: null },
      found: { session, user: { id: session.userId, email, emailVerified: false } },
    });
    expect(await database.queries.findSession("no-such-session")).toBeNull();
    expect(await database.queries.findRefreshToken("no-such-hash")).toBeNull();
  });

  it("write a rotation that Prisma reads back to the millisecond, and that its date filters see", async () => {
    const { session, token } = await signedIn();
    const now = at(60);
    const successor = successorOf(token, "h1", now);
    expect(await database.queries.rotate(token.id, successor, now, at(2000), null)).toBe(true);

    expect(await database.db.refreshToken.findUnique({ where: { tokenHash: "h0" } })).toMatchObject({ spentAt: now });
    expect(await database.db.refreshToken.findUnique({ where: { tokenHash: "h1" } })).toEqual({ ...successor, spentAt: null });
    expect(await database.db.session.findUnique({ where: { id: session.id } })).toMatchObject({ lastUsedAt: now, idleExpiresAt: at(2000) });
    // Prisma compares stored dates in its WHERE clauses: the new idle expiry must sort as a date does.
    expect((await database.store.listLiveSessions(session.userId, at(1999))).map((s) => s.id)).toEqual([session.id]);
    expect(await database.store.listLiveSessions(session.userId, at(2000))).toEqual([]);
  });

  it("rotate a token once: a second rotation of it writes nothing", async () => {
    const { token } = await signedIn();
    expect(await database.queries.rotate(token.id, successorOf(token, "h1", at(60)), at(60), at(2000), null)).toBe(true);
    expect(await database.queries.rotate(token.id, successorOf(token, "h2", at(61)), at(61), at(2001), null)).toBe(false);
    expect(await database.db.refreshToken.findMany({ select: { tokenHash: true }, orderBy: { issuedAt: "asc" } })).toEqual([
      { tokenHash: "h0" },
      { tokenHash: "h1" },
    ]);
    expect((await database.queries.findRefreshToken("h0"))?.token.spentAt).toEqual(at(60));
  });

  it("let exactly one of twenty simultaneous rotations of one token win", async () => {
    const { token } = await signedIn();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => database.queries.rotate(token.id, successorOf(token, `h${i + 1}`, at(60)), at(60), at(2000), null)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await database.db.refreshToken.count()).toBe(2);
  });

  it("drop the session's spent tokens below a generation in the rotation that asks, and no others", async () => {
    const { session, token } = await signedIn();
    const other = await signedIn("h-other");
    let current: NewRefreshToken = token;
    for (let i = 1; i <= 3; i++) {
      const next = successorOf(current, `h${i}`, at(60 + i));
      expect(await database.queries.rotate(current.id, next, at(60 + i), at(2000), i === 3 ? 2 : null)).toBe(true);
      current = next;
    }
    const left = await database.db.refreshToken.findMany({ where: { sessionId: session.id }, orderBy: { generation: "asc" } });
    expect(left.map((row) => [row.tokenHash, row.generation])).toEqual([["h2", 2], ["h3", 3]]);
    expect(left[0]?.replacesId).toBeNull(); // its predecessor is gone
    expect(await database.db.refreshToken.count({ where: { sessionId: other.session.id } })).toBe(1);
  });
});

describe("session queries on SQLite", () => {
  const sqliteOnly = () => database.dialect === "sqlite";

  it("wait for a write lock held by another connection without stopping the event loop", async ({ skip }) => {
    if (!sqliteOnly()) skip("SQLite's file lock");
    const { token } = await signedIn();
    const other = new BetterSqlite3(database.url.replace(/^file:/, ""));
    other.exec("BEGIN IMMEDIATE");
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    try {
      const rotation = database.queries.rotate(token.id, successorOf(token, "h1", at(60)), at(60), at(2000), null);
      // Waits for the ticks rather than a fixed 100 ms, so a loaded machine's late timers do not fail it; a
      // rotation that blocked the loop would hold every timer until its busy wait (5 s) gave up.
      const started = Date.now();
      while (ticks <= 5 && Date.now() - started < 3_000) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(ticks, "timers ran while the rotation waited").toBeGreaterThan(5);
      expect(Date.now() - started, "the loop was never held for the busy wait").toBeLessThan(4_000);
      other.exec("COMMIT");
      expect(await rotation).toBe(true);
    } finally {
      clearInterval(ticker);
      other.close();
    }
  });

  it("finish a rotation started while Prisma holds a transaction on the same file, after it", async ({ skip }) => {
    if (!sqliteOnly()) skip("SQLite's file lock");
    const { session, token } = await signedIn();
    let rotation: Promise<boolean> | undefined;
    await database.db.$transaction(async (tx) => {
      await tx.session.update({ where: { id: session.id }, data: { userAgent: "Chrome" } });
      rotation = database.queries.rotate(token.id, successorOf(token, "h1", at(60)), at(60), at(2000), null);
      await new Promise((resolve) => setTimeout(resolve, 30));
    });
    expect(await rotation).toBe(true);
    expect(await database.queries.findSession(session.id)).toMatchObject({ session: { userAgent: "Chrome", lastUsedAt: at(60) } });
  });
});

describe("remembered browsers", () => {
  it("an account remembers at most MAX_DEVICES_PER_ACCOUNT, forgetting the least recently seen, at a real size", async () => {
    const ann = await createUser("ann@example.com");
    const bob = await createUser("bob@example.com");
    // A script that signed in 1,500 times without the cookie (rows as an older version, without the cap, left them).
    await database.db.device.createMany({
      data: Array.from({ length: 1_500 }, (_, i) => ({ id: randomUUID(), userId: ann, tokenHash: `old-${i}`, createdAt: T0, lastSeenAt: at(i) })),
    });
    await database.store.rememberDevice(bob, "bob's browser", at(0));

    expect(await database.store.rememberDevice(ann, "a browser never seen", at(2_000))).toBe("new");

    const kept = await database.db.device.findMany({ where: { userId: ann }, select: { tokenHash: true } });
    expect(kept).toHaveLength(MAX_DEVICES_PER_ACCOUNT);
    const expected = ["a browser never seen", ...Array.from({ length: MAX_DEVICES_PER_ACCOUNT - 1 }, (_, i) => `old-${1_499 - i}`)];
    expect(kept.map((row) => row.tokenHash).sort()).toEqual(expected.sort());
    expect(await database.store.rememberDevice(ann, "old-1499", at(2_001))).toBe("known");
    expect(await database.db.device.count({ where: { userId: bob } })).toBe(1); // another account's are not touched
  });
});
