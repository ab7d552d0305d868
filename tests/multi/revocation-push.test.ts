// Revocations pushed between two instances over one PostgreSQL database (LISTEN/NOTIFY). While B listens,
// it keeps a session's liveness beyond the 500 ms polling window, and a revocation on A still reaches it
// at once; when B's listening connection is killed (pg_terminate_backend), B falls back to re-reading at
// once, so the contract's "within 1 second on every instance" holds throughout, and B listens again.
// The revocation-to-refusal figures over many revocations are the bench's (README, Scaling out).
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LISTENER_APPLICATION_NAME } from "../../lib/db/pg-revocation-feed";
import { PASSWORD, uniqueEmail } from "../support/accounts";
import { ACCESS_COOKIE, REFRESH_COOKIE, responseCookie } from "../support/cookie-jar";
import { createTestDatabase, query, type TestPostgresDatabase } from "../support/postgres";
import { startServer, type TestServer } from "../support/server";
import { bearerMe as me, sleep } from "../support/tokens";

const METRICS_TOKEN = "metrics-token-for-the-multi-tests-0123456789";
/** Past LIVENESS_CACHE_MS: an answer this old is only kept when notices are pushed. */
const PAST_POLLING_WINDOW_MS = 800;

let database: TestPostgresDatabase;
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  database = await createTestDatabase();
  const settings = { DATABASE_URL: database.url, METRICS_TOKEN };
  [a, b] = await Promise.all([startServer(settings), startServer(settings)]);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await database?.drop();
});

const report = (line: string) => console.log(`[revocation push] ${line}`);

/** One sample of the server's Prometheus metrics, by series (`name{labels}`). */
async function metrics(server: TestServer): Promise<Map<string, number>> {
  const response = await fetch(`${server.url}/api/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(response.status).toBe(200);
  const series = new Map<string, number>();
  for (const line of (await response.text()).split("\n")) {
    const match = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match) series.set(match[1]!, Number(match[2]));
  }
  return series;
}

const HITS = 'auth_liveness_lookups_total{result="hit"}';
const PUSHED = 'auth_revocation_feed_state{state="pushed"}';

async function untilPushed(server: TestServer, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // The feed's state is reported once the app is built, which the first request does.
  while ((await metrics(server)).get(PUSHED) !== 1) {
    if (Date.now() > deadline) throw new Error(`${server.url} never reported its revocation feed as pushed`);
    await fetch(`${server.url}/api/me`);
    await sleep(50);
  }
}

async function signIn(server: TestServer): Promise<{ access: string; refresh: string }> {
  const response = await fetch(`${server.url}/api/auth/register`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: uniqueEmail("push"), password: PASSWORD }),
  });
  expect(response.status).toBe(201);
  return { access: responseCookie(response, ACCESS_COOKIE)!.value, refresh: responseCookie(response, REFRESH_COOKIE)!.value };
}

function logout(server: TestServer, refresh: string): Promise<Response> {
  return fetch(`${server.url}/api/auth/logout`, { method: "POST", headers: { Cookie: `refresh_token=${refresh}` } });
}

/** Milliseconds until `server` refuses `access` (asked back to back), or -1 when it still accepts it after `limitMs`. */
async function refusedAfter(server: TestServer, access: string, limitMs = 2_000): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < limitMs) {
    if ((await me(server, access)).status === 401) return Math.round(performance.now() - started);
    await sleep(5);
  }
  return -1;
}

/** B answers `access` from its cache after the polling window: possible only while notices are pushed. */
async function expectKeptPastPollingWindow(access: string): Promise<void> {
  expect((await me(b, access)).status).toBe(200);
  await sleep(PAST_POLLING_WINDOW_MS);
  const hits = (await metrics(b)).get(HITS)!;
  expect((await me(b, access)).status).toBe(200);
  expect((await metrics(b)).get(HITS)).toBe(hits + 1);
}

describe("revocations pushed between instances", () => {
  it("B keeps a session's liveness past the polling window, and refuses it as soon as A ends the session", async () => {
    await Promise.all([untilPushed(a), untilPushed(b)]);
    const session = await signIn(a);
    await expectKeptPastPollingWindow(session.access);

    const [sentBefore, receivedBefore] = [(await metrics(a)).get('auth_revocation_notices_total{direction="sent"}')!, (await metrics(b)).get('auth_revocation_notices_total{direction="received"}')!];
    expect((await logout(a, session.refresh)).status).toBe(204);
    const delay = await refusedAfter(b, session.access);
    report(`logout on A → B refused the access token it had cached ${PAST_POLLING_WINDOW_MS} ms earlier after ${delay} ms`);
    expect(delay).toBeGreaterThanOrEqual(0);
    expect(delay).toBeLessThan(1_000);
    expect((await metrics(a)).get('auth_revocation_notices_total{direction="sent"}')).toBeGreaterThan(sentBefore);
    expect((await metrics(b)).get('auth_revocation_notices_total{direction="received"}')).toBeGreaterThan(receivedBefore);
  });

  it("refuses on B a session ended by a transaction no instance announced (as one that died after its commit leaves it)", async () => {
    await Promise.all([untilPushed(a), untilPushed(b)]);
    const session = await signIn(a);
    await expectKeptPastPollingWindow(session.access);
    const { sid } = decodeJwt<{ sid: string }>(session.access);
    await query(database.url, `UPDATE "Session" SET "revokedAt" = now(), "revokedReason" = 'logout' WHERE "id" = $1`, [sid]);
    const delay = await refusedAfter(b, session.access);
    report(`session ended by SQL from outside the app → B refused the access token it had cached after ${delay} ms`);
    expect(delay).toBeGreaterThanOrEqual(0);
    expect(delay).toBeLessThan(1_000);
    expect((await me(a, session.access)).status).toBe(401);
  });

  it("keeps the 1 s promise when B's listening connection is killed, and B listens again afterwards", async () => {
    await Promise.all([untilPushed(a), untilPushed(b)]);
    const session = await signIn(a);
    await expectKeptPastPollingWindow(session.access);

    const killed = await query<{ pid: number }>(
      database.url,
      `SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`,
      [LISTENER_APPLICATION_NAME],
    );
    expect(killed.length).toBe(2); // one listener per instance
    // Revoked right away: B's notice is lost with its connection, and B's cached answer is older than the
    // polling window, so only the fallback (or the cache cleared on reconnect) makes B refuse it.
    expect((await logout(a, session.refresh)).status).toBe(204);
    const delay = await refusedAfter(b, session.access);
    report(`listeners killed, then logout on A → B refused the token after ${delay} ms`);
    expect(delay).toBeGreaterThanOrEqual(0);
    expect(delay).toBeLessThan(1_000);

    // Back to pushed, and pushing again.
    await untilPushed(b);
    const next = await signIn(a);
    await expectKeptPastPollingWindow(next.access);
    expect((await logout(a, next.refresh)).status).toBe(204);
    const after = await refusedAfter(b, next.access);
    report(`after B listened again: logout on A → refused on B after ${after} ms`);
    expect(after).toBeGreaterThanOrEqual(0);
    expect(after).toBeLessThan(1_000);
  });
});
