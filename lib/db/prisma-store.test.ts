// The Prisma store's own guarantees over a real, migrated SQLite file: filters, subjects and transactions.
import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RefreshDecision } from "../auth/refresh-token";
import type { NewRefreshToken, SessionRecord } from "../auth/store";
import { openTempDatabase, type TempDatabase } from "./temp-database";

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
    issuedAt: T0,
    expiresAt: at(3600),
  };
  await database.store.createSession(session, token);
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
    expect(revoked.sort()).toEqual([other1!.id, other2!.id].sort());
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
    expect(await database.store.revokeSessions({ sessionId: session.id, userId: bob }, "device_revoked", at(1))).toEqual([]);
    expect(await database.store.revokeSessions({ sessionId: session.id }, "logout", at(2))).toEqual([session.id]);
    expect(await database.store.revokeSessions({ sessionId: session.id }, "logout", at(3))).toEqual([]);
    expect((await database.store.findSession(session.id))?.session.revokedAt).toEqual(at(2));
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

  it("counts login failures per subject after `since`, and clears one subject only", async () => {
    await database.store.recordLoginFailure(["email:a", "ip:1"], at(1));
    await database.store.recordLoginFailure(["email:a"], at(2));
    await database.store.recordLoginFailure(["email:b"], at(3));
    const failures = await database.store.loginFailures(["email:a", "ip:1"], at(1));
    expect(failures.get("email:a")).toEqual([at(2)]); // strictly after `since`
    expect(failures.has("email:b")).toBe(false);
    expect((await database.store.loginFailures(["email:a", "ip:1"], T0)).get("ip:1")).toEqual([at(1)]);

    await database.store.clearLoginFailures("email:a");
    const after = await database.store.loginFailures(["email:a", "ip:1", "email:b"], T0);
    expect([...after.keys()].sort()).toEqual(["email:b", "ip:1"]);
  });

  describe("redeemRefreshToken", () => {
    const rotate = (): RefreshDecision => ({ action: "rotate" });

    function redeem(tokenHash: string, decide: () => RefreshDecision = rotate, now = at(60)) {
      return database.store.redeemRefreshToken({
        tokenHash,
        now,
        decide,
        successor: (token) => ({
          id: randomUUID(),
          sessionId: token.sessionId,
          tokenHash: `${tokenHash}+1`,
          replacesId: token.id,
          issuedAt: now,
          expiresAt: at(3600),
        }),
        idleExpiresAt: at(1800),
      });
    }

    it("answers not_found for an unknown hash", async () => {
      expect(await redeem("unknown")).toEqual({ outcome: "not_found" });
    });

    it("spends the token, stores its successor and refreshes the session's use times", async () => {
      const session = await createSession(await createUser("a@example.com"), "h0");
      const outcome = await redeem("h0");
      expect(outcome).toMatchObject({ outcome: "rotated", successor: { tokenHash: "h0+1", spentAt: null } });
      expect((await database.store.findRefreshToken("h0"))?.spentAt).toEqual(at(60));
      expect((await database.store.findSession(session.id))?.session).toMatchObject({
        lastUsedAt: at(60),
        idleExpiresAt: at(1800),
      });
    });

    it("hands the decision a token spent by an earlier redemption, and a replay writes nothing", async () => {
      const session = await createSession(await createUser("a@example.com"), "h0");
      await redeem("h0");
      let judgedSpentAt: Date | null | undefined;
      const outcome = await database.store.redeemRefreshToken({
        tokenHash: "h0",
        now: at(66),
        decide: (token) => {
          judgedSpentAt = token.spentAt;
          return { action: "replay" };
        },
        successor: () => {
          throw new Error("a replay must not create a successor");
        },
        idleExpiresAt: at(1800),
      });
      expect(judgedSpentAt).toEqual(at(60));
      expect(outcome).toMatchObject({ outcome: "replay", token: { tokenHash: "h0", spentAt: at(60) } });
      expect(await database.db.refreshToken.count({ where: { sessionId: session.id } })).toBe(2);
      expect((await database.store.findSession(session.id))?.session.lastUsedAt).toEqual(at(60));
    });

    it("revokes the session as reuse only when the decision says so", async () => {
      const session = await createSession(await createUser("a@example.com"), "h0");
      expect(await redeem("h0", () => ({ action: "reject", code: "refresh_expired", revokeSession: false }))).toMatchObject({
        outcome: "rejected",
        code: "refresh_expired",
        found: { session: { id: session.id } }, // whose session it was, for the activity record
      });
      expect((await database.store.findSession(session.id))?.session.revokedAt).toBeNull();
      await redeem("h0", () => ({ action: "reject", code: "refresh_reused", revokeSession: true }));
      expect((await database.store.findSession(session.id))?.session).toMatchObject({
        revokedAt: at(60),
        revokedReason: "reuse_detected",
      });
    });
  });
});
