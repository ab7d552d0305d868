// Starts the production build through `npm start`'s own script (migrations, then `next start`) on a free
// port, as tests/support/server.ts does for the API tests (whose __dirname-based paths do not survive
// being imported from an ES module under tsx, hence this small copy). Every server started here is
// remembered, so an error or Ctrl-C still stops them all.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export interface BenchServer {
  url: string;
  /** The start script's process id; `next start` runs as its child. */
  pid: number;
  output(): string;
  /** CPU time (user + system) used so far by the server's processes, seconds. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

const running = new Set<BenchServer>();

/** Stops every server this process started (on the way out, whatever happened). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((server) => server.stop()));
}

/**
 * CPU seconds of a process and its descendants, from /proc (Linux). CPU time per request is steadier than
 * requests per second on a machine shared with other work: waiting for a core does not count.
 */
export function cpuSecondsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    const own = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
    return own + children.reduce((sum, child) => sum + cpuSecondsOf(Number(child)), 0);
  } catch {
    return NaN; // not Linux, or the process is gone
  }
}
const CLOCK_TICKS = 100; // USER_HZ, 100 on Linux

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * `settings` go into the server's environment. Without a DATABASE_URL the server gets a fresh SQLite file
 * in a temporary folder, deleted at stop.
 */
export async function startBenchServer(settings: Record<string, string>): Promise<BenchServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "auth-bench-"));
  const port = await freePort();
  const env = {
    ...process.env,
    NODE_ENV: "production" as const,
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: `file:${path.join(dataDir, "app.db")}`,
    PORT: String(port),
    ...settings,
  };
  let log = "";
  const child = spawn(process.execPath, [path.join(root, "scripts", "start.mjs")], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group: `next start` runs as a child of the start script
  });
  child.stdout.on("data", (chunk) => (log += chunk));
  child.stderr.on("data", (chunk) => (log += chunk));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // already gone
    }
  };
  const server: BenchServer = {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    output: () => log,
    cpuSeconds: () => cpuSecondsOf(child.pid!),
    async stop() {
      running.delete(server);
      if (child.exitCode === null && child.signalCode === null) {
        signal("SIGTERM");
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
        signal("SIGKILL");
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  running.add(server);

  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      if ((await fetch(`${server.url}/api/me`)).status === 401) return server;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await server.stop();
  throw new ServerStartError(log);
}

export class ServerStartError extends Error {
  constructor(readonly output: string) {
    super(`the server did not start:\n${output.trim().split("\n").slice(-15).join("\n")}`);
  }
}
