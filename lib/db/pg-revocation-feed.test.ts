// The PostgreSQL revocation feed between two "instances" (two feeds, each with its own listening connection)
// on a real, migrated database: a session ended by a committed UPDATE reaches both, whoever wrote it; one
// rolled back, or an update that ends nothing, reaches neither; a killed listening connection says `down`
// at once and comes back `pushed`. Runs in the unit-pg project.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FeedState, RevocationFeed, RevocationNotice } from "../auth/revocation-feed";
import { LISTENER_APPLICATION_NAME, postgresRevocationFeed } from "./pg-revocation-feed";

const url = process.env.TEST_UNIT_DATABASE_URL!;
const pool = new pg.Pool({ connectionString: url, max: 2 });
const feeds: RevocationFeed[] = [];

function instance() {
  const feed = postgresRevocationFeed(url);
  feeds.push(feed);
  const notices: RevocationNotice[] = [];
  const states: FeedState[] = [];
  feed.subscribe({ notice: (notice) => notices.push(notice), state: (state) => states.push(state) });
  return { feed, notices, states };
}

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

let a: ReturnType<typeof instance>;
let b: ReturnType<typeof instance>;
beforeAll(async () => {
  a = instance();
  b = instance();
  await until(() => a.feed.state === "pushed" && b.feed.state === "pushed", "both feeds to listen");
});
afterAll(async () => {
  await Promise.all(feeds.map((feed) => feed.close()));
  await pool.end();
});

let account = 0;
/** An account with `count` live sessions, written as any client of the database would; returns their ids. */
async function liveSessions(count: number): Promise<{ userId: string; sessionIds: string[] }> {
  const userId = `feed-user-${++account}`;
  await pool.query(`INSERT INTO "User" ("id", "email", "createdAt", "updatedAt") VALUES ($1, $2, now(), now())`, [userId, `${userId}@example.test`]);
  const sessionIds = Array.from({ length: count }, (_, i) => `${userId}-session-${i}`);
  await pool.query(
    `INSERT INTO "Session" ("id", "userId", "createdAt", "lastUsedAt", "absoluteExpiresAt", "idleExpiresAt")
     SELECT id, $2, now(), now(), now() + interval '30 days', now() + interval '30 days' FROM unnest($1::text[]) AS id`,
    [sessionIds, userId],
  );
  return { userId, sessionIds };
}

const endedIds = (notices: RevocationNotice[]) => notices.flatMap((notice) => ("sessionIds" in notice ? notice.sessionIds : [])).sort();

describe("postgresRevocationFeed", () => {
  it("tells every instance of each session a committed UPDATE ended, the writer's own included, and only when it commits", async () => {
    const { userId, sessionIds } = await liveSessions(3);
    const [before, ownBefore] = [b.notices.length, a.notices.length];
    const writer = await pool.connect();
    try {
      await writer.query("BEGIN");
      await writer.query(`UPDATE "Session" SET "revokedAt" = now(), "revokedReason" = 'logout_all' WHERE "userId" = $1`, [userId]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(b.notices.length).toBe(before); // not yet committed: nobody may drop the session, then re-read it live
      await writer.query("COMMIT");
    } finally {
      writer.release();
    }
    await until(() => endedIds(b.notices.slice(before)).length === 3 && endedIds(a.notices.slice(ownBefore)).length === 3, "the notices");
    expect(endedIds(b.notices.slice(before))).toEqual([...sessionIds].sort());
    expect(endedIds(a.notices.slice(ownBefore))).toEqual([...sessionIds].sort());
  });

  it("says nothing of a revocation that rolled back, of a session already ended, or of an update that ends nothing", async () => {
    const { userId, sessionIds } = await liveSessions(2);
    const before = b.notices.length;
    const writer = await pool.connect();
    try {
      await writer.query("BEGIN");
      await writer.query(`UPDATE "Session" SET "revokedAt" = now() WHERE "id" = $1`, [sessionIds[0]]);
      await writer.query("ROLLBACK");
    } finally {
      writer.release();
    }
    await pool.query(`UPDATE "Session" SET "lastUsedAt" = now(), "idleExpiresAt" = now() + interval '1 day' WHERE "userId" = $1`, [userId]);
    await pool.query(`UPDATE "Session" SET "revokedAt" = now() WHERE "id" = $1`, [sessionIds[1]]);
    await pool.query(`UPDATE "Session" SET "revokedAt" = now(), "revokedReason" = 'again' WHERE "id" = $1`, [sessionIds[1]]);
    // The one real end is the marker: everything before it would have arrived before it.
    await until(() => b.notices.length > before, "the one notice");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(b.notices.slice(before)).toEqual([{ sessionIds: [sessionIds[1]] }]);
  });

  it("names every one of thousands of sessions ended by one statement", async () => {
    const { userId, sessionIds } = await liveSessions(2_000);
    const before = b.notices.length;
    await pool.query(`UPDATE "Session" SET "revokedAt" = now() WHERE "userId" = $1`, [userId]);
    await until(() => b.notices.length - before >= 2_000, "2,000 notices", 10_000);
    expect(endedIds(b.notices.slice(before))).toEqual([...sessionIds].sort());
  });

  it("ignores a payload that is not a notice on its channel", async () => {
    const before = b.notices.length;
    await pool.query("SELECT pg_notify('auth_revocations', 'not json'), pg_notify('auth_revocations', '{\"sessionIds\":[1]}')");
    const { sessionIds } = await liveSessions(1);
    await pool.query(`UPDATE "Session" SET "revokedAt" = now() WHERE "id" = $1`, [sessionIds[0]]);
    await until(() => b.notices.length > before, "the valid notice");
    expect(b.notices.slice(before)).toEqual([{ sessionIds }]);
  });

  it("says down the moment its listening connection is terminated, then listens again", async () => {
    const statesBefore = b.states.length;
    const killed = await pool.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()",
      [LISTENER_APPLICATION_NAME],
    );
    expect(killed.rowCount).toBe(2);
    await until(() => b.states.length > statesBefore, "the loss to be noticed", 1_000);
    expect(b.states[statesBefore]).toBe("down");
    await until(() => a.feed.state === "pushed" && b.feed.state === "pushed", "both to listen again");
    const before = b.notices.length;
    const { sessionIds } = await liveSessions(1);
    await pool.query(`UPDATE "Session" SET "revokedAt" = now() WHERE "id" = $1`, [sessionIds[0]]);
    await until(() => b.notices.length > before, "a notice after the reconnect");
    expect(b.notices.slice(before)).toEqual([{ sessionIds }]);
  });
});
