// `npm run bench [-- --quick]`: builds the app, serves it in production mode on a temporary SQLite file
// (and on PostgreSQL when DATABASE_URL names one), puts each load on it with autocannon, and prints each
// figure as a ratio to its twin measured in the same run, beside its target. See README, "Performance".
//
// Why ratios and interleaving: absolute figures on a shared 2-core machine drift by ±15 % between rounds.
// The loads compared are run A B A B … and the per-round ratios' median is reported, so drift cancels.
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { projectRoot as root } from "../tests/support/root";
import { buildApp } from "../tests/support/build";
import { Client as Browser, uniqueEmail } from "../tests/support/accounts";
import { floodLogins, percentile } from "../tests/support/flood";
import { databaseCpu, type DatabaseCpu } from "./database-cpu.mts";
import { hashesPerSecond, hashMilliseconds, rotationsPerSecond, verificationsPerSecond } from "./inprocess.mts";
import { rotatingCookie, runLoad, type Client, type LoadResult, type LoadSpec } from "./load.mts";
import { check, checkTable, figureTable, loadTable, ratio, summarise, type Check, type Rounds, type Row } from "./report.mts";
import { scalingFigures } from "./scaling.mts";
import { startBenchServer, stopAll } from "./server.mts";

const quick = process.argv.includes("--quick");
const flag = (name: string) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const onlyArg = flag("only");
const SECONDS = Number(flag("seconds") ?? (quick ? 2 : 5)); // one load
const ROUNDS = Number(flag("rounds") ?? (quick ? 3 : 7)); // medians over this many
const CONNECTIONS = 10; // page and API throughput
const FLOOD = 16; // refresh and login, as the issue asks
// Latency under a flood is measured by one client calling /api/me back to back (a closed loop): every
// sample is a real request's time. A paced probe would not do: autocannon sends a rate's requests in a
// burst at the start of each second, and its coordinated-omission correction then invents slow samples.
const ACCOUNTS = 1 + FLOOD; // account 0 for the latency probe, 1…16 one per connection of the other loads
const PASSWORD = "benchmark password, long enough";
const WATCHDOG_MINUTES = quick ? 10 : 30; // the whole run stops by itself even if something hangs

// The bench server: benchmark routes on, no per-address bound on refresh or register (one address sends
// everything here), and an access token that outlives the run so one login serves every page load. The
// loopback is a trusted proxy, so the 400-login flood can come from many addresses (X-Forwarded-For). The
// hashing queue's bound is lifted: rates and latencies are measured here, with every login queued (a
// harder case for everyone else than 503s); tests/api/flood.test.ts checks the bound itself.
const SERVER_SETTINGS = {
  BENCH_ROUTES: "1",
  AUTH_TRUSTED_PROXIES: "127.0.0.1",
  AUTH_HASH_MAX_WAIT: "60",
  AUTH_SECRET: randomBytes(48).toString("base64url"),
  AUTH_ACCESS_TTL: "3600",
  AUTH_REFRESH_RATE_LIMIT: "0",
  AUTH_REGISTER_RATE_LIMIT: "0",
};

const log = (line = "") => console.log(line);

interface Account {
  email: string;
  /** `name=value` of the access cookie. */
  access: string;
  refreshName: string;
  refresh: string;
  /** `name=value` of the device cookie: the browser that signed up, known to the account from then on. */
  device: string;
}

/** Registers (or, on a database kept from an earlier run, logs in) one benchmark account. */
async function account(url: string, index: number): Promise<Account> {
  // bench-NNNN@example.test: the same length as the email in /api/bench/plain's body.
  const email = `bench-${String(index).padStart(4, "0")}@example.test`;
  const post = (route: string) =>
    fetch(`${url}${route}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password: PASSWORD }) });
  let response = await post("/api/auth/register");
  if (response.status === 409) response = await post("/api/auth/login");
  if (!response.ok) throw new Error(`could not sign in ${email}: ${response.status} ${await response.text()}`);
  const pairs = response.headers.getSetCookie().map((cookie) => cookie.split(";")[0]!);
  // By the end of the name: the `__Host-` prefix depends on AUTH_COOKIE_SECURE.
  const cookie = (name: string) => pairs.find((pair) => pair.split("=")[0]!.endsWith(name));
  const [access, refresh, device] = [cookie("access_token"), cookie("refresh_token"), cookie("device")];
  if (!access || !refresh || !device) throw new Error(`no token or device cookies for ${email}`);
  const [refreshName, refreshValue] = refresh.split("=") as [string, string];
  return { email, access, refreshName, refresh: refreshValue, device };
}

/**
 * Runs one unrecorded round (JIT, Next.js's lazy route loading, the heap's growth), then ROUNDS rounds of
 * A B C …, and keeps every round's result. The warm-up is a whole round: after only a second per load, the
 * first recorded round of the page loads still ran at up to twice the CPU per request of the later ones.
 */
async function interleaved(loads: Record<string, (seconds: number) => Promise<LoadResult>>): Promise<Rounds> {
  for (const run of Object.values(loads)) await run(SECONDS);
  const rounds: Rounds = Object.fromEntries(Object.keys(loads).map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(loads)) rounds[name]!.push(await run(SECONDS));
  }
  return rounds;
}

interface Context {
  url: string;
  accounts: Account[];
  /** Headers of a signed-in browser: account 0's access cookie. */
  signedIn: Record<string, string>;
  /**
   * Connection i signs in as its own account, so the server sees as many sessions as connections and its
   * session-liveness cache misses as often as it would with that many people.
   */
  signedInAs: (client: Client, index: number) => void;
  load(spec: Omit<LoadSpec, "seconds">): (seconds: number) => Promise<LoadResult>;
  /** Waits until the server has finished what the last load left it (every load does this first). */
  quiet(): Promise<void>;
}

interface GroupResult {
  rows: Row[];
  checks: Check[];
  figures?: [string, string][];
  rounds: Rounds;
}

/** Each group compares interleaved loads; `--only=pages,api` runs a subset (handy before and after a fix). */
const GROUPS: Record<string, (ctx: Context) => Promise<GroupResult>> = {
  async pages({ url, signedIn, signedInAs, load }) {
    log(`pages: protected, public (middleware, no check) and bare (no middleware), ${CONNECTIONS} connections`);
    const page = (name: string) => load({ path: `/bench/${name}`, connections: CONNECTIONS, setupConnection: signedInAs });
    const rounds = await interleaved({ protected: page("protected"), public: page("public"), bare: page("bare") });
    const bytes = async (name: string) => (await (await fetch(`${url}/bench/${name}`, { headers: signedIn })).arrayBuffer()).byteLength;
    const loads = summarise(rounds);
    const c = String(CONNECTIONS);
    return {
      rounds,
      rows: [
        { label: "page /bench/protected (middleware check + session)", connections: c, summary: loads.protected!, bytes: await bytes("protected") },
        { label: "page /bench/public (middleware, no check)", connections: c, summary: loads.public!, bytes: await bytes("public") },
        { label: "page /bench/bare (no middleware)", connections: c, summary: loads.bare!, bytes: await bytes("bare") },
      ],
      checks: [
        check("protected page / pass-through page, req/s", ratio(rounds, "protected", "public"), ">=", 0.95),
        check("protected page / bare page (no middleware), req/s", ratio(rounds, "protected", "bare"), ">=", 0.65),
      ],
    };
  },

  async dashboard({ url, accounts, signedIn, signedInAs, load }) {
    log(`dashboard: the real /dashboard against /bench/bare, ${CONNECTIONS} connections, each account with a few sessions and events`);
    // One account after another: 48 logins at once would outlast the hashing queue's bound (503s).
    for (const a of accounts.slice(1)) await asAPersonHas(url, a.email);
    const rounds = await interleaved({
      dashboard: load({ path: "/dashboard", connections: CONNECTIONS, setupConnection: signedInAs }),
      bare: load({ path: "/bench/bare", connections: CONNECTIONS, setupConnection: signedInAs }),
    });
    const bytes = async (path: string) => (await (await fetch(`${url}${path}`, { headers: signedIn })).arrayBuffer()).byteLength;
    const loads = summarise(rounds);
    const c = String(CONNECTIONS);
    return {
      rounds,
      rows: [
        { label: "page /dashboard (3 sessions, activity, alerts)", connections: c, summary: loads.dashboard!, bytes: await bytes("/dashboard") },
        { label: "page /bench/bare (no middleware)", connections: c, summary: loads.bare!, bytes: await bytes("/bench/bare") },
      ],
      checks: [check("the real /dashboard / bare page, req/s", ratio(rounds, "dashboard", "bare"), ">=", 0.5)],
    };
  },

  async redirect({ url, signedInAs, load }) {
    log(`redirect: a signed-out visitor's GET /dashboard (307 to the login page) against /bench/bare, ${CONNECTIONS} connections`);
    const rounds = await interleaved({
      redirect: load({ path: "/dashboard", connections: CONNECTIONS, status: 307 }),
      bare: load({ path: "/bench/bare", connections: CONNECTIONS, setupConnection: signedInAs }),
    });
    const location = (await fetch(`${url}/dashboard`, { redirect: "manual" })).headers.get("location");
    if (location !== "/login?next=%2Fdashboard") throw new Error(`a signed-out visitor was sent to ${location}`);
    const loads = summarise(rounds);
    const c = String(CONNECTIONS);
    return {
      rounds,
      rows: [
        { label: "GET /dashboard signed out (307 to /login)", connections: c, summary: loads.redirect! },
        { label: "page /bench/bare (no middleware)", connections: c, summary: loads.bare! },
      ],
      checks: [check("signed-out redirect / bare page render, req/s", ratio(rounds, "redirect", "bare"), ">=", 3.5)],
    };
  },

  async api({ signedInAs, load }) {
    log(`API: GET /api/me against GET /api/bench/plain, ${CONNECTIONS} connections`);
    const rounds = await interleaved({
      me: load({ path: "/api/me", connections: CONNECTIONS, setupConnection: signedInAs }),
      plain: load({ path: "/api/bench/plain", connections: CONNECTIONS, setupConnection: signedInAs }),
    });
    const loads = summarise(rounds);
    return {
      rounds,
      rows: [
        { label: "GET /api/me", connections: String(CONNECTIONS), summary: loads.me! },
        { label: "GET /api/bench/plain (no auth)", connections: String(CONNECTIONS), summary: loads.plain! },
      ],
      checks: [check("GET /api/me / no-auth route, req/s", ratio(rounds, "me", "plain"), ">=", 0.85)],
    };
  },

  async refresh({ accounts, load }) {
    log(`refresh: POST /api/auth/refresh against POST /api/bench/cookie, ${FLOOD} connections with a token each`);
    const { refreshName } = accounts[0]!;
    const chains = accounts.slice(1).map((a) => a.refresh); // rotated in place, round after round
    const fakes = accounts.slice(1).map((a) => a.refresh);
    const rounds = await interleaved({
      refresh: load({ path: "/api/auth/refresh", method: "POST", connections: FLOOD, setupConnection: rotatingCookie(refreshName, chains) }),
      cookie: load({ path: "/api/bench/cookie", method: "POST", connections: FLOOD, setupConnection: rotatingCookie(refreshName, fakes) }),
    });
    const loads = summarise(rounds);
    return {
      rounds,
      rows: [
        { label: "POST /api/auth/refresh (own rotating token)", connections: String(FLOOD), summary: loads.refresh! },
        { label: "POST /api/bench/cookie (no auth)", connections: String(FLOOD), summary: loads.cookie! },
      ],
      checks: [
        check("POST /api/auth/refresh / no-auth POST, req/s", ratio(rounds, "refresh", "cookie"), ">=", 0.65),
        check("POST /api/auth/refresh p99", loads.refresh!.p99, "<=", 40, " ms"),
      ],
    };
  },

  async login(ctx) {
    log(`login: POST /api/auth/login at ${FLOOD} connections against password hashes/s at ${FLOOD} in flight (in process)`);
    const hashing = (raw: boolean) => async (seconds: number) => {
      await ctx.quiet();
      return { rps: await hashesPerSecond(seconds, FLOOD, raw), p50: NaN, p99: NaN, requests: 0, cpuMs: NaN };
    };
    const ownBrowser = loginFlood(ctx, "own browser");
    let loginRate = NaN;
    const rounds = await interleaved({
      login: async (seconds) => {
        const result = await ownBrowser(seconds);
        loginRate = result.rps;
        return result;
      },
      // The no-auth POST twin at the rate the round's login load reached: what Next.js's own handling of
      // a request costs at that rate, where each request is answered alone (no batching, cold caches)
      // and costs more than one among hundreds a second.
      floor: (seconds) => ctx.load({ path: "/api/bench/cookie", method: "POST", connections: FLOOD, rate: loginRate })(seconds),
      newBrowser: loginFlood(ctx, "new browser"),
      hash: hashing(false),
      argon2: hashing(true),
    });
    const loads = summarise(rounds);
    const c = String(FLOOD);
    const outsideHash = (load: string) => loads[load]!.servingCpuMs.toFixed(1);
    // Core-ms of one hash when every core hashes, and the ratio a login could reach costing only that twin besides.
    const hashMs = (1000 * os.availableParallelism()) / loads.argon2!.rps;
    const ceiling = hashMs / (hashMs + loads.floor!.servingCpuMs);
    return {
      rounds,
      rows: [
        { label: "POST /api/auth/login (16 accounts, own browser)", connections: c, summary: loads.login! },
        { label: "POST /api/bench/cookie (no auth, at the login's rate)", connections: c, summary: loads.floor! },
        { label: "POST /api/auth/login (16 accounts, new browser)", connections: c, summary: loads.newBrowser! },
      ],
      figures: [
        [`argon2 raw rate at our parameters, ${FLOOD} in flight (every core busy, no pool)`, loads.argon2!.rps.toFixed(1)],
        [`password hashes/s through hashPassword's worker pool, ${FLOOD} in flight`, loads.hash!.rps.toFixed(1)],
        [`  login req/s / that (for information)`, ratio(rounds, "login", "hash").toFixed(2)],
        [`  CPU ms per login outside the hashing workers: own browser / new browser`, `${outsideHash("login")} / ${outsideHash("newBrowser")}`],
        [`  CPU ms per no-auth POST at the login's rate / core-ms per hash`, `${loads.floor!.servingCpuMs.toFixed(1)} / ${hashMs.toFixed(1)}`],
        [`  login / argon2 raw rate if a login cost no more than that POST`, ceiling.toFixed(2)],
        [`  login from a new browser / argon2 raw rate (for information)`, ratio(rounds, "newBrowser", "argon2").toFixed(2)],
      ],
      checks: [check(`login req/s / argon2 raw rate (both ${FLOOD} in flight)`, ratio(rounds, "login", "argon2"), ">=", 0.9)],
    };
  },

  async flood(ctx) {
    log(`latency: GET /api/me from one client, idle and during a ${FLOOD}-connection login flood`);
    const probe = ctx.load({ path: "/api/me", connections: 1, headers: ctx.signedIn, exactLatency: true });
    const flood = loginFlood(ctx, "own browser");
    const rounds = await interleaved({
      idle: probe,
      // The server's CPU time is shared by both loads here, so it says nothing about the probe.
      flood: async (seconds) => ({ ...(await Promise.all([probe(seconds), flood(seconds)]))[0], cpuMs: NaN }),
    });
    const loads = summarise(rounds);
    const probeConnections = "1";
    return {
      rounds,
      rows: [
        { label: "GET /api/me, one client, idle", connections: probeConnections, summary: loads.idle! },
        { label: "GET /api/me, one client, during the login flood", connections: probeConnections, summary: loads.flood! },
      ],
      figures: await personDuringFlood(ctx.url),
      checks: [check("GET /api/me p99: during login flood / idle", ratio(rounds, "flood", "idle", "p99"), "<=", 1.5)],
    };
  },
};

/**
 * A person's /api/me, refreshes and own login during 400 concurrent logins for random emails from 400
 * addresses, every one of them queued and hashed (the bench server lifts the queue's bound).
 */
async function personDuringFlood(url: string): Promise<[string, string][]> {
  const address = "203.0.113.10";
  const client = new Browser(url, { "user-agent": "bench/person", "x-forwarded-for": address });
  const email = uniqueEmail("person");
  await client.register(email, PASSWORD);
  const outcome = await floodLogins(url, { client, email, password: PASSWORD, user: { id: "", email }, sessionId: "", address }, {
    count: 400,
    addressOf: (i) => `198.18.${i >> 8}.${i & 255}`,
  });
  const count = (status: number) => outcome.flood.filter((response) => response.status === status).length;
  const failed = [...outcome.me, ...outcome.refresh].filter((response) => response.status !== 200).length;
  return [
    ["400-login flood from 400 addresses: 401 / 429 / 503 answers", `${count(401)} / ${count(429)} / ${count(503)}`],
    ["  the person's GET /api/me p99 during it, ms", percentile(outcome.me.map((r) => r.ms), 99).toFixed(1)],
    ["  the person's refresh p99 during it, ms", percentile(outcome.refresh.map((r) => r.ms), 99).toFixed(1)],
    ["  the person's requests that did not answer 200", String(failed)],
    ["  the person's own login: status, ms", `${outcome.login.status}, ${outcome.login.ms.toFixed(0)}`],
  ];
}

/**
 * What a person's dashboard holds: two more devices signed in (sessions, and "new browser" events and
 * alerts) and a mistyped password. Once per account: a database kept from an earlier run has them already.
 */
async function asAPersonHas(url: string, email: string): Promise<void> {
  const login = (password: string, userAgent: string) =>
    fetch(`${url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": userAgent },
      body: JSON.stringify({ email, password }),
    });
  const phone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
  const laptop = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36";
  const mistyped = await login(`${PASSWORD} (mistyped)`, laptop);
  if (mistyped.status !== 401) throw new Error(`expected a failed login for ${email}, got ${mistyped.status}: ${await mistyped.text()}`);
  for (const userAgent of [phone, laptop]) {
    const response = await login(PASSWORD, userAgent);
    if (!response.ok) throw new Error(`could not sign ${email} in: ${response.status}`);
  }
}

/**
 * Each connection signs in its own account with the right password: no failure is recorded, so neither
 * throttle engages, and the per-email login queue never makes two connections wait on each other. From
 * its own browser it presents the device cookie the account's sign-up set, as a browser does (autocannon
 * keeps no cookies); from a new browser it presents none, so each login also records a "new browser"
 * event and sends its notice mail.
 */
function loginFlood({ accounts, load }: Context, from: "own browser" | "new browser") {
  return load({
    path: "/api/auth/login",
    method: "POST",
    connections: FLOOD,
    setupConnection: (client, i) => {
      const account = accounts[1 + i]!;
      client.setHeaders({ "content-type": "application/json", ...(from === "own browser" && { cookie: account.device }) });
      client.setBody(JSON.stringify({ email: account.email, password: PASSWORD }));
    },
  });
}

// `inprocess` names the in-process figures, which need no server; `scaling` the two-instance figures on
// PostgreSQL (a database of their own on the local server, as the tests make).
const only = onlyArg ? onlyArg.split(",").filter((name) => name !== "inprocess" && name !== "scaling") : Object.keys(GROUPS);
const inProcessWanted = !onlyArg || onlyArg.split(",").includes("inprocess");
const scalingWanted = !onlyArg || onlyArg.split(",").includes("scaling");
for (const name of only) if (!GROUPS[name]) throw new Error(`--only: no group "${name}" (groups: inprocess, ${Object.keys(GROUPS).join(", ")})`);

type DatabaseResult = Record<string, GroupResult>;

async function benchDatabase(label: string, settings: Record<string, string>): Promise<DatabaseResult> {
  log(`\n=== ${label}: starting the app`);
  const server = await startBenchServer({ ...SERVER_SETTINGS, ...settings });
  const dbCpu = settings.DATABASE_URL ? await databaseCpu(settings.DATABASE_URL) : null;
  try {
    const url = server.url;
    const accounts = await Promise.all(Array.from({ length: ACCOUNTS }, (_, i) => account(url, i)));
    const load = (spec: Omit<LoadSpec, "seconds">) => async (seconds: number) => {
      await server.quiet();
      const [cpuBefore, servingBefore] = [server.cpuSeconds(), server.servingCpuSeconds()];
      const dbBefore = await dbCpu?.seconds();
      const result = await runLoad(url, { ...spec, seconds });
      const dbCpuMs = dbCpu ? (1000 * ((await dbCpu.seconds()) - dbBefore!)) / result.requests : undefined;
      const perRequest = (cpuSeconds: number) => (1000 * cpuSeconds) / result.requests;
      return {
        ...result,
        cpuMs: perRequest(server.cpuSeconds() - cpuBefore),
        servingCpuMs: perRequest(server.servingCpuSeconds() - servingBefore),
        dbCpuMs,
      };
    };
    const signedInAs = (client: Client, i: number) => client.setHeaders({ cookie: accounts[1 + (i % FLOOD)]!.access });
    const ctx: Context = { url, accounts, signedIn: { cookie: accounts[0]!.access }, signedInAs, load, quiet: () => server.quiet() };
    const results: DatabaseResult = {};
    for (const name of only) results[name] = await GROUPS[name]!(ctx);
    if (dbCpu) results.capacity = await capacityFigures(dbCpu, accounts[0]!, results);
    return results;
  } finally {
    await dbCpu?.close();
    await server.stop();
  }
}

/**
 * What the capacity model in README "Scaling out" is computed from: PostgreSQL's own CPU per rotation and
 * per login (from those loads, when they ran) and per liveness read (measured here, one read at a time).
 */
async function capacityFigures(dbCpu: DatabaseCpu, reader: Account, results: DatabaseResult): Promise<GroupResult> {
  const reads = quick ? 2_000 : 10_000;
  const sessionId = (JSON.parse(Buffer.from(reader.access.split("=")[1]!.split(".")[1]!, "base64url").toString()) as { sid: string }).sid;
  const readMs = (1000 * (await dbCpu.sessionReads(sessionId, reads))) / reads;
  const perRequest = (group: string, row: number) => results[group]?.rows[row]?.summary.dbCpuMs;
  const figures: [string, string][] = [[`PostgreSQL CPU per session read, ms (${reads} liveness reads, one at a time)`, readMs.toFixed(3)]];
  const rotation = perRequest("refresh", 0);
  if (rotation !== undefined) figures.push(["PostgreSQL CPU per rotation, ms (the refresh load)", rotation.toFixed(3)]);
  const login = perRequest("login", 0);
  if (login !== undefined) figures.push(["PostgreSQL CPU per login, ms (the login load)", login.toFixed(3)]);
  return { rows: [], checks: [], figures, rounds: {} };
}

function printDatabase(label: string, results: DatabaseResult): void {
  const groups = Object.values(results);
  log();
  log(loadTable(`${label}: medians of ${ROUNDS} rounds × ${SECONDS} s, loads interleaved`, groups.flatMap((g) => g.rows)));
  const figures = groups.flatMap((g) => g.figures ?? []);
  if (figures.length) log(figureTable("", figures));
  log();
  log(checkTable("targets (ratios within this run)", groups.flatMap((g) => g.checks)));
}

/** results.json: each load's medians and its rounds, and each target with its verdict. */
function forJson(databases: Record<string, DatabaseResult>) {
  return Object.fromEntries(
    Object.entries(databases).map(([name, result]) => [
      name,
      Object.fromEntries(
        Object.entries(result).map(([group, { rows, checks, figures }]) => [
          group,
          { loads: rows.map(({ label, connections, bytes, summary }) => ({ label, connections, bytes, ...summary })), figures, checks },
        ]),
      ),
    ]),
  );
}

async function main(): Promise<void> {
  const started = new Date();
  const loadBefore = os.loadavg()[0]!;
  log(`bench: ${quick ? "quick" : "full"} run, ${os.cpus().length} cores, Node ${process.version}, load average ${loadBefore.toFixed(1)}`);
  buildApp(log);

  let inProcess: Record<string, number> | undefined;
  if (inProcessWanted) {
    log("\nin-process figures …");
    const verifications = await verificationsPerSecond(SECONDS);
    inProcess = {
      firstVerificationsPerSecond: verifications.first,
      repeatVerificationsPerSecond: verifications.repeat,
      rotationsPerSecond: await rotationsPerSecond(SECONDS),
      hashMs: await hashMilliseconds(quick ? 5 : 15),
    };
  }

  const databases: Record<string, DatabaseResult> = {};
  if (only.length) databases.sqlite = await benchDatabase("SQLite (temporary file)", {});
  const databaseUrl = process.env.DATABASE_URL ?? "";
  if (only.length && /^postgres(ql)?:\/\//.test(databaseUrl)) {
    databases.postgres = await benchDatabase("PostgreSQL (DATABASE_URL)", { DATABASE_URL: databaseUrl });
  }

  const scaling = scalingWanted ? await scalingFigures(SERVER_SETTINGS, log) : undefined;

  const loadAverage = { before: loadBefore, after: os.loadavg()[0]! };
  log("\n" + "=".repeat(110));
  log(`load average (1 min) before ${loadAverage.before.toFixed(1)}, after ${loadAverage.after.toFixed(1)} on ${os.cpus().length} cores`);
  if (inProcess) {
    log(
      figureTable("in process (no HTTP)", [
        ["access-token verifications/s, new tokens (key imported once)", inProcess.firstVerificationsPerSecond!.toFixed(0)],
        ["access-token verifications/s, one token again (signature remembered)", inProcess.repeatVerificationsPerSecond!.toFixed(0)],
        ["refresh rotations/s (AuthService.refresh, temporary SQLite, one at a time)", inProcess.rotationsPerSecond!.toFixed(0)],
        ["one password hash, ms (argon2id m=19 MiB t=3 p=1, median)", inProcess.hashMs!.toFixed(1)],
      ]),
    );
  }
  for (const [name, result] of Object.entries(databases)) {
    printDatabase(name === "sqlite" ? "SQLite" : "PostgreSQL", result);
  }
  if (scaling) {
    log();
    log(figureTable("scaling out: two instances, one PostgreSQL database", scaling.figures));
    log();
    log(checkTable("targets (scaling out)", scaling.checks));
  }

  const file = path.join(root, "bench", "results.json");
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify({ started, finished: new Date(), quick, seconds: SECONDS, rounds: ROUNDS, machine: { cores: os.cpus().length, node: process.version, loadAverage }, inProcess, databases: forJson(databases), scaling }, null, 2)}\n`,
  );
  log(`\nwrote ${path.relative(process.cwd(), file)}`);
}

// Every server started is stopped on the way out: after success, an error, Ctrl-C, or the watchdog.
const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${WATCHDOG_MINUTES} minutes; stopping`);
  void stopAll().finally(() => process.exit(2));
}, WATCHDOG_MINUTES * 60_000);
watchdog.unref();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => void stopAll().finally(() => process.exit(130)));
}

try {
  await main();
} catch (error) {
  console.error(`\nbench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await stopAll();
  clearTimeout(watchdog);
}
