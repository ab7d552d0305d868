// GET /api/metrics: Prometheus's text format, only for the holder of METRICS_TOKEN, and absent (404) when
// the setting is. The counts are read before and after real logins, refreshes and API calls, so each test
// sees a counter move because of what it did.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, PASSWORD, registerUser, uniqueEmail } from "../support/client";
import { startServer, type TestServer } from "../support/server";

const TOKEN = "metrics-token-for-the-tests-0123456789abcdef";

let server: TestServer;
let withoutToken: TestServer;
beforeAll(async () => {
  [server, withoutToken] = await Promise.all([startServer({ METRICS_TOKEN: TOKEN }), startServer()]);
});
afterAll(async () => {
  await Promise.all([server?.stop(), withoutToken?.stop()]);
});

function scrape(target: TestServer, authorization?: string): Promise<Response> {
  return fetch(`${target.url}/api/metrics`, { headers: authorization ? { Authorization: authorization } : {} });
}

/** Every sample of the exposition, by its name with labels as written (`auth_logins_total{outcome="success"}`). */
async function samples(): Promise<Map<string, number>> {
  const response = await scrape(server, `Bearer ${TOKEN}`);
  expect(response.status).toBe(200);
  const values = new Map<string, number>();
  for (const line of (await response.text()).split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return values;
}

async function value(name: string): Promise<number> {
  const found = (await samples()).get(name);
  if (found === undefined) throw new Error(`no sample ${name}`);
  return found;
}

describe("who may read the metrics", () => {
  it("answers 404 in the error shape when METRICS_TOKEN is not set, whatever is presented", async () => {
    for (const authorization of [undefined, `Bearer ${TOKEN}`]) {
      const response = await scrape(withoutToken, authorization);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: "not_found", message: expect.any(String) });
    }
  });

  it("answers 401 with a Bearer challenge without a token, and with error=invalid_token for a wrong one", async () => {
    const none = await scrape(server);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe("Bearer");
    expect(await none.json()).toMatchObject({ error: "unauthorized" });

    for (const wrong of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, "Bearer x", `Basic ${TOKEN}`]) {
      const response = await scrape(server, wrong);
      expect(response.status, wrong).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(await response.text()).not.toContain("auth_logins_total");
    }
    expect((await scrape(server, `Bearer ${TOKEN}x`)).headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
  });

  it("serves the text format, never cached, with the process metrics", async () => {
    const response = await scrape(server, `Bearer ${TOKEN}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = await response.text();
    expect(body).toContain("# TYPE auth_logins_total counter");
    expect(body).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(body).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(body).toMatch(/^auth_password_hash_queue_length \d+$/m);
  });
});

describe("what the counts say", () => {
  it("counts logins by outcome", async () => {
    const account = await registerUser(server);
    const before = await samples();
    const client = new Client(server.url);
    expect((await client.login(account.email)).status).toBe(200);
    expect((await client.login(account.email, "wrong password")).status).toBe(401);
    expect((await client.login(uniqueEmail("nobody"), PASSWORD)).status).toBe(401);
    const after = await samples();
    const moved = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
    expect(moved('auth_logins_total{outcome="success"}')).toBe(1);
    expect(moved('auth_logins_total{outcome="invalid_credentials"}')).toBe(2);
    expect(moved('auth_logins_total{outcome="throttled"}')).toBe(0);
    // Each login verified a password: the hashing counters moved too.
    expect(moved("auth_password_hashes_started_total")).toBeGreaterThanOrEqual(3);
  });

  it("counts refreshes by outcome: rotated, replayed within the grace period, invalid", async () => {
    const { client } = await registerUser(server);
    const first = client.refreshToken;
    const before = await samples();
    expect((await client.post("/api/auth/refresh")).status).toBe(200);
    const replay = new Client(server.url);
    replay.setCookie("refresh_token", first);
    expect((await replay.post("/api/auth/refresh")).status).toBe(200); // within the 10 s grace period
    const stranger = new Client(server.url);
    stranger.setCookie("refresh_token", "not-a-token-this-server-issued");
    expect((await stranger.post("/api/auth/refresh")).status).toBe(403);
    const after = await samples();
    const moved = (outcome: string) =>
      (after.get(`auth_refreshes_total{outcome="${outcome}"}`) ?? 0) - (before.get(`auth_refreshes_total{outcome="${outcome}"}`) ?? 0);
    expect([moved("rotated"), moved("replayed"), moved("invalid"), moved("reused"), moved("revoked")]).toEqual([1, 1, 1, 0, 0]);
  });

  it("counts the liveness cache's hits and misses", async () => {
    const { client } = await registerUser(server);
    const hits = await value('auth_liveness_lookups_total{result="hit"}');
    const misses = await value('auth_liveness_lookups_total{result="miss"}');
    // Back to back: the first is read from the database, the next ones come from the cache.
    for (let i = 0; i < 3; i++) expect((await client.get("/api/me")).status).toBe(200);
    expect(await value('auth_liveness_lookups_total{result="miss"}')).toBeGreaterThanOrEqual(misses + 1);
    expect(await value('auth_liveness_lookups_total{result="hit"}')).toBeGreaterThanOrEqual(hits + 1);
    expect(await value('auth_liveness_lookups_total{result="hit"}') + (await value('auth_liveness_lookups_total{result="miss"}'))).toBe(
      hits + misses + 3,
    );
  });

  it("lists the revocation notices and 503 causes from zero", async () => {
    const all = await samples();
    expect(all.get('auth_revocation_notices_total{direction="sent"}')).toBeGreaterThanOrEqual(0);
    expect(all.get('auth_revocation_notices_total{direction="received"}')).toBeGreaterThanOrEqual(0);
    expect(all.get('auth_unavailable_responses_total{cause="database"}')).toBe(0);
  });
});
