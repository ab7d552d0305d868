// Starts the real app (`npm start`'s script: migrations, then `next start`) on a free port with a fresh
// database and the settings a test asks for, and stops it afterwards. The database is a SQLite file, or,
// with TEST_DATABASE=postgres, a new database on the local PostgreSQL server, dropped at stop. A test that
// passes its own DATABASE_URL (two instances sharing one database) keeps that database to itself.
// The benchmark (bench/server.mts) starts its servers with launchApp too.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { projectRoot as root } from "./root";
import { createTestDatabase, postgresRequested, type TestPostgresDatabase } from "./postgres";

export const TEST_SECRET = "test-secret-that-is-at-least-32-bytes-long!";

export interface TestServer {
  url: string;
  port: number;
  dataDir: string;
  env: Record<string, string>;
  /** Output of the server so far (stdout and stderr). */
  output(): string;
  /** Ends the server (SIGKILL: no chance to finish anything) and keeps its data folder. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Reuse this data folder (a restart); otherwise a fresh temporary one. */
  dataDir?: string;
}

/** `npm start`'s script, running in its own process group, on the port its environment names. */
export interface AppProcess {
  url: string;
  port: number;
  /** The start script's process id; `next start` runs as its child. */
  pid: number;
  /** Output of the server so far (stdout and stderr). */
  output(): string;
  /** Ends the server (SIGKILL: no chance to finish anything). */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after 5 s. */
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function waitUntilUp(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${output()}`);
    try {
      const response = await fetch(`${url}/api/me`);
      if (response.status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`server did not start in time:\n${output()}`);
}

/**
 * Starts `scripts/start.mjs` with exactly `env` on top of this process's environment (NODE_ENV=production)
 * and waits until it answers; on failure the server is killed and the error carries its output.
 */
export async function launchApp(env: Record<string, string>): Promise<AppProcess> {
  const port = Number(env.PORT);
  let log = "";
  const child = spawn(process.execPath, [path.join(root, "scripts", "start.mjs")], {
    cwd: root,
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group: `next start` runs as a child of the start script
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.stdout?.on("data", (chunk) => (log += chunk));
  child.stderr?.on("data", (chunk) => (log += chunk));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilUp(url, child, () => log);
  } catch (error) {
    signalGroup("SIGKILL");
    throw error;
  }
  return {
    url,
    port,
    pid: child.pid!,
    output: () => log,
    async kill() {
      signalGroup("SIGKILL");
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        signalGroup("SIGTERM");
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
        signalGroup("SIGKILL");
      }
    },
  };
}

export async function startServer(settings: Record<string, string> = {}, options: StartOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), "auth-test-"));
  // A test that must know the origin in advance (APP_URL, an OpenID client's redirect_uri) passes PORT.
  const port = settings.PORT ? Number(settings.PORT) : await freePort();
  const ownDatabase: TestPostgresDatabase | null =
    postgresRequested() && !settings.DATABASE_URL ? await createTestDatabase() : null;
  const env: Record<string, string> = {
    DATABASE_URL: ownDatabase?.url ?? `file:${path.join(dataDir, "app.db")}`,
    AUTH_SECRET: TEST_SECRET,
    PORT: String(port),
    // The hashing queue's bound is the subject of flood.test.ts, which sets it; elsewhere a loaded test
    // machine (hashes several times slower) must not turn a test's burst of logins into 503s.
    AUTH_HASH_MAX_WAIT: "30",
    ...settings,
  };
  let app: AppProcess;
  try {
    app = await launchApp(env);
  } catch (error) {
    await ownDatabase?.drop().catch(() => undefined);
    throw error;
  }
  return {
    url: app.url,
    port,
    dataDir,
    env,
    output: app.output,
    kill: app.kill,
    async stop() {
      await app.stop();
      rmSync(dataDir, { recursive: true, force: true });
      await ownDatabase?.drop();
    },
  };
}
