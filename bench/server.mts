// The benchmark's servers: the production build through `npm start`'s own script, started by the tests'
// own launcher (tests/support/server.ts), plus the CPU time each one used. Every server started here is
// remembered, so an error or Ctrl-C still stops them all.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort, launchApp } from "../tests/support/server";

export interface BenchServer {
  url: string;
  /** The start script's process id; `next start` runs as its child. */
  pid: number;
  output(): string;
  /** CPU time (user + system) used so far by the server's processes, seconds. */
  cpuSeconds(): number;
  /** The same without the password-hashing workers (the serving process's grandchildren): what the requests themselves cost. */
  servingCpuSeconds(): number;
  /** Resolves once the server has finished what an earlier load left it (mail, hashes, writes): each load starts on a quiet server. */
  quiet(): Promise<void>;
  stop(): Promise<void>;
}

const running = new Set<BenchServer>();

/** Stops every server this process started (on the way out, whatever happened). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((server) => server.stop()));
}

/**
 * CPU seconds of a process and its descendants down to `depth` generations, from /proc (Linux). CPU time per request is steadier than
 * requests per second on a machine shared with other work: waiting for a core does not count.
 */
export function cpuSecondsOf(pid: number, depth = Infinity): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    const own = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime
    if (depth <= 0) return own;
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
    return own + children.reduce((sum, child) => sum + cpuSecondsOf(Number(child), depth - 1), 0);
  } catch {
    return NaN; // not Linux, or the process is gone
  }
}
const CLOCK_TICKS = 100; // USER_HZ, 100 on Linux

/** Quiet: at most one clock tick of CPU in a window of this many ms (an idle server's timers use less). */
const QUIET_WINDOW_MS = 250;
const QUIET_MAX_WAIT_MS = 10_000;

async function quiet(cpuSeconds: () => number): Promise<void> {
  const giveUp = performance.now() + QUIET_MAX_WAIT_MS;
  let before = cpuSeconds();
  while (performance.now() < giveUp) {
    await new Promise((resolve) => setTimeout(resolve, QUIET_WINDOW_MS));
    const now = cpuSeconds();
    // In whole ticks: the seconds are sums of tick counts over several processes, and their float sum
    // can exceed one tick by a rounding error. Without /proc (NaN) there is nothing to wait for.
    const ticks = Math.round((now - before) * CLOCK_TICKS);
    if (!Number.isFinite(ticks) || ticks <= 1) return;
    before = now;
  }
}

/**
 * `settings` go into the server's environment. Without a DATABASE_URL the server gets a fresh SQLite file
 * in a temporary folder, deleted at stop.
 */
export async function startBenchServer(settings: Record<string, string>): Promise<BenchServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "auth-bench-"));
  try {
    const app = await launchApp({ DATABASE_URL: `file:${path.join(dataDir, "app.db")}`, PORT: String(await freePort()), ...settings });
    const server: BenchServer = {
      url: app.url,
      pid: app.pid,
      output: app.output,
      cpuSeconds: () => cpuSecondsOf(app.pid),
      // The start script and its server (scripts/serve.mjs); the hashing workers are the server's children.
      servingCpuSeconds: () => cpuSecondsOf(app.pid, 1),
      quiet: () => quiet(() => cpuSecondsOf(app.pid)),
      async stop() {
        running.delete(server);
        await app.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
    running.add(server);
    return server;
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
