// Two instances over one PostgreSQL database, as behind a load balancer: how soon a revocation made on one
// is refused by the other, and how many session reads authenticated requests cost, with revocations pushed
// (LISTEN/NOTIFY, the default) and with AUTH_REVOCATION_PUSH=false (re-reading every 500 ms, as before the
// push). Session reads are counted twice: by the app (liveness-cache misses, the /api/metrics counter) and
// by PostgreSQL itself (index scans of "Session", pg_stat_user_tables). See README, "Scaling out".
import { performance } from "node:perf_hooks";
import { createTestDatabase, query } from "../tests/support/postgres";
import { startBenchServer, type BenchServer } from "./server.mts";
import { check, type Check } from "./report.mts";

const METRICS_TOKEN = "bench-metrics-token-0123456789abcdef0123";
const PASSWORD = "benchmark password, long enough";
const SESSIONS = 50;
const REQUESTS = 10_000;
const IN_FLIGHT = 16;
const REVOCATIONS = 100;

interface ModeResult {
  requests: number;
  seconds: number;
  appReads: number;
  databaseReads: number;
  latencies: number[];
}

async function metric(server: BenchServer, series: string): Promise<number> {
  const text = await (await fetch(`${server.url}/api/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : NaN;
}

async function signIn(server: BenchServer, email: string, route: "register" | "login"): Promise<{ access: string; refresh: string }> {
  const response = await fetch(`${server.url}/api/auth/${route}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  if (!response.ok) throw new Error(`${route} ${email}: ${response.status}`);
  const cookie = (suffix: string) =>
    response.headers.getSetCookie().map((c) => c.split(";")[0]!).find((pair) => pair.split("=")[0]!.endsWith(suffix))!;
  return { access: cookie("access_token"), refresh: cookie("refresh_token").split("=")[1]! };
}

const me = (server: BenchServer, access: string) => fetch(`${server.url}/api/me`, { headers: { cookie: access } }).then((r) => r.status);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function sessionIndexScans(url: string): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 1_500)); // statistics reach the view after their flush
  const [row] = await query<{ scans: string }>(url, `SELECT coalesce(idx_scan, 0) AS scans FROM pg_stat_user_tables WHERE relname = 'Session'`);
  return Number(row?.scans ?? NaN);
}

async function measure(settings: Record<string, string>, push: boolean, log: (line: string) => void): Promise<ModeResult> {
  const database = await createTestDatabase();
  const servers: BenchServer[] = [];
  try {
    const env = { ...settings, DATABASE_URL: database.url, METRICS_TOKEN, AUTH_REVOCATION_PUSH: String(push) };
    servers.push(...(await Promise.all([startBenchServer(env), startBenchServer(env)])));
    const [a, b] = servers as [BenchServer, BenchServer];
    for (const server of servers) {
      const wanted = push ? "pushed" : "local";
      for (let tries = 0; (await metric(server, `auth_revocation_feed_state{state="${wanted}"}`)) !== 1; tries++) {
        if (tries > 200) throw new Error(`${server.url}: revocation feed never ${wanted}`);
        await fetch(`${server.url}/api/me`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    const stamp = Date.now();
    const sessions: { access: string; refresh: string }[] = [];
    for (let i = 0; i < SESSIONS; i++) sessions.push(await signIn(a, `scale-${stamp}-${i}@example.test`, "register"));

    // Reads: requests spread over both instances and every session, IN_FLIGHT at a time.
    const missesBefore = (await metric(a, 'auth_liveness_lookups_total{result="miss"}')) + (await metric(b, 'auth_liveness_lookups_total{result="miss"}'));
    const scansBefore = await sessionIndexScans(database.url);
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        for (let i = next++; i < REQUESTS; i = next++) {
          const status = await me(i % 2 === 0 ? a : b, sessions[Math.floor(i / 2) % SESSIONS]!.access);
          if (status !== 200) throw new Error(`GET /api/me answered ${status}`);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const appReads = (await metric(a, 'auth_liveness_lookups_total{result="miss"}')) + (await metric(b, 'auth_liveness_lookups_total{result="miss"}')) - missesBefore;
    const databaseReads = (await sessionIndexScans(database.url)) - scansBefore;

    // Revocation to refusal: B has just checked the session (its cache holds it: the worst case), A logs it
    // out, and B is asked back to back until it refuses; timed from A's answer (the revocation is written).
    const latencies: number[] = [];
    for (let i = 0; i < REVOCATIONS; i++) {
      const session = await signIn(a, `scale-${stamp}-${i % SESSIONS}@example.test`, "login");
      if ((await me(b, session.access)) !== 200) throw new Error("B refused a fresh session");
      await fetch(`${a.url}/api/auth/logout`, { method: "POST", headers: { cookie: `refresh_token=${session.refresh}` } });
      const revoked = performance.now();
      while ((await me(b, session.access)) !== 401) {
        if (performance.now() - revoked > 5_000) throw new Error("B still accepts a session revoked 5 s ago");
      }
      latencies.push(performance.now() - revoked);
    }
    log(`  ${push ? "pushed" : "polled"}: ${REQUESTS} requests in ${seconds.toFixed(1)} s, ${appReads} session reads (app), ${databaseReads} (PostgreSQL)`);
    return { requests: REQUESTS, seconds, appReads, databaseReads, latencies: latencies.sort((x, y) => x - y) };
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    await database.drop();
  }
}

export async function scalingFigures(settings: Record<string, string>, log: (line: string) => void): Promise<{ figures: [string, string][]; checks: Check[] }> {
  log(`\n=== scaling out: two instances over one PostgreSQL database, ${SESSIONS} sessions, ${REQUESTS} GET /api/me, ${REVOCATIONS} revocations`);
  log("    pushed: LISTEN/NOTIFY (the default); polled: AUTH_REVOCATION_PUSH=false (re-read every 500 ms, as before)");
  const pushed = await measure(settings, true, log);
  const polled = await measure(settings, false, log);
  const perThousand = (r: ModeResult, reads: number) => (1000 * reads) / r.requests;
  const ms = (value: number) => value.toFixed(1);
  const figures: [string, string][] = [];
  for (const [name, r] of [["pushed", pushed], ["polled", polled]] as const) {
    figures.push(
      [`${name}: revocation on A → refusal on B, p50 / p99 ms`, `${ms(percentile(r.latencies, 50))} / ${ms(percentile(r.latencies, 99))}`],
      [`${name}: session reads per 1,000 requests, app / PostgreSQL`, `${perThousand(r, r.appReads).toFixed(1)} / ${perThousand(r, r.databaseReads).toFixed(1)}`],
    );
  }
  const fewer = perThousand(polled, polled.databaseReads) / Math.max(perThousand(pushed, pushed.databaseReads), 0.001);
  figures.push(["polled / pushed session reads (PostgreSQL's count)", fewer.toFixed(1)]);
  return {
    figures,
    checks: [
      check("pushed revocation → refusal on the other instance, p99", percentile(pushed.latencies, 99), "<=", 100, " ms"),
      check("session reads, polled / pushed (per 1,000 requests)", fewer, ">=", 10),
    ],
  };
}
