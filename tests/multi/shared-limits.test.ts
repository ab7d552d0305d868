// The per-address bounds behind a load balancer: two instances must allow a bound once between them, not
// once each, whether they count in PostgreSQL (the database they share) or in Redis (REDIS_URL; here over
// two separate SQLite files, so only Redis can be what they share). When the store fails, every request
// is still answered as it would be without the bound's store (never a 5xx), counted in memory, and the
// instance says so in its log.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PASSWORD, uniqueEmail } from "../support/client";
import { createTestDatabase, query, type TestPostgresDatabase } from "../support/postgres";
import { freePort, startServer, type TestServer } from "../support/server";

const REFRESH_BOUND = 10;
const REDIS_URL = process.env.TEST_REDIS_URL || "redis://127.0.0.1:6379";
const report = (line: string) => console.log(`[shared limits] ${line}`);

/** A refresh without a cookie: 403 refresh_missing inside the bound, 429 past it; counted either way. */
async function bareRefresh(server: TestServer): Promise<{ status: number; error: string }> {
  const response = await fetch(`${server.url}/api/auth/refresh`, { method: "POST" });
  return { status: response.status, error: ((await response.json()) as { error: string }).error };
}

/** REFRESH_BOUND requests alternating A and B, then one more on each. */
async function exhaust(a: TestServer, b: TestServer) {
  const within = [];
  for (let i = 0; i < REFRESH_BOUND; i++) within.push(await bareRefresh(i % 2 === 0 ? a : b));
  return { within, past: [await bareRefresh(a), await bareRefresh(b)] };
}

function expectBoundOnce({ within, past }: Awaited<ReturnType<typeof exhaust>>) {
  expect(within.map((r) => r.error)).toEqual(Array(REFRESH_BOUND).fill("refresh_missing"));
  expect(past).toEqual([
    { status: 429, error: "too_many_attempts" },
    { status: 429, error: "too_many_attempts" },
  ]);
}

const settings = { AUTH_REFRESH_RATE_LIMIT: String(REFRESH_BOUND), AUTH_REGISTER_RATE_LIMIT: "3" };

describe("on PostgreSQL", () => {
  let database: TestPostgresDatabase;
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    database = await createTestDatabase();
    const shared = { DATABASE_URL: database.url, ...settings };
    [a, b] = await Promise.all([startServer(shared), startServer(shared)]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.drop();
  });

  it("allows the refresh bound once across A and B together", async () => {
    const result = await exhaust(a, b);
    report(`PostgreSQL: ${REFRESH_BOUND} refreshes alternating A, B: ${result.within.map((r) => r.status).join(" ")}; then A ${result.past[0]?.status}, B ${result.past[1]?.status}`);
    expectBoundOnce(result);
    // One row for the one address, counted by both.
    const rows = await query<{ points: number }>(database.url, `SELECT points FROM "RateLimit" WHERE key LIKE 'refresh:%'`);
    expect(rows).toEqual([{ points: REFRESH_BOUND + 2 }]);
  });

  it("counts sign-ups across instances too, and a sign-up still works when the counters' table is gone", async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await register(i % 2 === 0 ? a : b)).status);
    expect(statuses).toEqual([201, 201, 201, 429]);

    // The store fails (here: its table is renamed away): each instance counts in memory, which is fresh.
    await query(database.url, `ALTER TABLE "RateLimit" RENAME TO "RateLimitAway"`);
    try {
      const during = [(await register(a)).status, (await register(b)).status];
      const refreshes = [await bareRefresh(a), await bareRefresh(b)];
      report(`PostgreSQL counters' table gone: sign-ups ${during.join(", ")}, refreshes ${refreshes.map((r) => `${r.status} ${r.error}`).join(", ")}`);
      expect(during).toEqual([201, 201]);
      expect(refreshes.map((r) => r.error)).toEqual(["refresh_missing", "refresh_missing"]);
      for (const server of [a, b]) expect(server.output()).toMatch(/"event":"rate_limit_store_unavailable","store":"postgresql"/);
    } finally {
      await query(database.url, `ALTER TABLE "RateLimitAway" RENAME TO "RateLimit"`);
    }
    // Back: the shared count, still exhausted, applies again.
    expect((await register(a)).status).toBe(429);
  });
});

describe("in Redis (REDIS_URL), the two instances on separate databases", () => {
  const prefix = `kssi-test-${randomUUID()}:`;
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    const redis = { REDIS_URL, REDIS_KEY_PREFIX: prefix, ...settings };
    // No DATABASE_URL: startServer gives each a database of its own, so only Redis is shared.
    [a, b] = await Promise.all([startServer(redis), startServer(redis)]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    const client = new Redis(REDIS_URL);
    const keys = await client.keys(`${prefix}*`);
    if (keys.length > 0) await client.del(...keys);
    client.disconnect();
  });

  it("allows the refresh bound once across A and B together", async () => {
    const result = await exhaust(a, b);
    report(`Redis: ${REFRESH_BOUND} refreshes alternating A, B: ${result.within.map((r) => r.status).join(" ")}; then A ${result.past[0]?.status}, B ${result.past[1]?.status}`);
    expectBoundOnce(result);
    const client = new Redis(REDIS_URL);
    try {
      const keys = await client.keys(`${prefix}refresh:*`);
      expect(keys).toHaveLength(1);
      expect(await client.get(keys[0]!)).toBe(String(REFRESH_BOUND + 2));
    } finally {
      client.disconnect();
    }
  });
});

describe("with Redis unreachable", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ REDIS_URL: `redis://127.0.0.1:${await freePort()}`, ...settings });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("signs people up and in as usual, still bounds each address in memory, and warns", async () => {
    const email = uniqueEmail("redis-down");
    const signUp = await fetch(`${server.url}/api/auth/register`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    expect(signUp.status).toBe(201);
    const refreshToken = /refresh_token=([^;]+)/.exec(signUp.headers.getSetCookie().join("\n"))?.[1];
    const refreshed = await fetch(`${server.url}/api/auth/refresh`, { method: "POST", headers: { Cookie: `refresh_token=${refreshToken}` } });
    expect(refreshed.status).toBe(200);

    const rest = [];
    for (let i = 1; i < REFRESH_BOUND; i++) rest.push(await bareRefresh(server));
    const past = await bareRefresh(server);
    report(`Redis down: sign-up ${signUp.status}, refresh ${refreshed.status}, ${REFRESH_BOUND - 1} more ${[...new Set(rest.map((r) => r.status))].join("/")}, then ${past.status}`);
    expect(rest.map((r) => r.error)).toEqual(Array(REFRESH_BOUND - 1).fill("refresh_missing"));
    expect(past).toEqual({ status: 429, error: "too_many_attempts" });
    expect(server.output()).toMatch(/"event":"rate_limit_store_unavailable","store":"redis","bound":"refresh","fallback":"memory"/);
  });
});

function register(server: TestServer): Promise<Response> {
  return fetch(`${server.url}/api/auth/register`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: uniqueEmail("limits"), password: PASSWORD }),
  });
}
