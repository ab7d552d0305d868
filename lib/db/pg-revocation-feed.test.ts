// The PostgreSQL revocation feed between two "instances" (two feeds, each with its own pool and listening
// connection) on a real database: a notice published by one reaches both; a killed listening connection
// says `down` at once and comes back `pushed`. Runs in the unit-pg project.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FeedState, RevocationFeed, RevocationNotice } from "../auth/revocation-feed";
import { LISTENER_APPLICATION_NAME, postgresRevocationFeed } from "./pg-revocation-feed";

const url = process.env.TEST_UNIT_DATABASE_URL!;
const pools: pg.Pool[] = [];
const feeds: RevocationFeed[] = [];

function instance() {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const feed = postgresRevocationFeed(url, pool);
  pools.push(pool);
  feeds.push(feed);
  const notices: RevocationNotice[] = [];
  const states: FeedState[] = [];
  feed.subscribe({ notice: (notice) => notices.push(notice), state: (state) => states.push(state) });
  return { pool, feed, notices, states };
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
  await Promise.all(pools.map((pool) => pool.end()));
});

describe("postgresRevocationFeed", () => {
  it("delivers every kind of notice to every instance, the publisher's own included", async () => {
    const sent: RevocationNotice[] = [{ sessionIds: ["s1", "s2"] }, { userId: "u1" }, { all: true }];
    for (const notice of sent) await a.feed.publish(notice);
    await until(() => b.notices.length >= 3 && a.notices.length >= 3, "the notices");
    expect(b.notices).toEqual(sent);
    expect(a.notices).toEqual(sent);
  });

  it("ignores a payload that is not a notice on its channel", async () => {
    const before = b.notices.length;
    await a.pool.query("SELECT pg_notify('auth_revocations', 'not json'), pg_notify('auth_revocations', '{\"sessionIds\":[1]}')");
    await a.feed.publish({ userId: "after" });
    await until(() => b.notices.length > before, "the valid notice");
    expect(b.notices.slice(before)).toEqual([{ userId: "after" }]);
  });

  it("says down the moment its listening connection is terminated, then listens again", async () => {
    const statesBefore = b.states.length;
    const killed = await a.pool.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()",
      [LISTENER_APPLICATION_NAME],
    );
    expect(killed.rowCount).toBe(2);
    await until(() => b.states.length > statesBefore, "the loss to be noticed", 1_000);
    expect(b.states[statesBefore]).toBe("down");
    await until(() => a.feed.state === "pushed" && b.feed.state === "pushed", "both to listen again");
    const before = b.notices.length;
    await a.feed.publish({ sessionIds: ["after-reconnect"] });
    await until(() => b.notices.length > before, "a notice after the reconnect");
  });
});
