// Runs `npm run admin`'s script (scripts/admin.mts) as a person would, against the database a test names.
import { spawn } from "node:child_process";
import path from "node:path";

const root = path.resolve(__dirname, "..", "..");
const TSX = path.join(root, "node_modules", ".bin", "tsx");

export interface AdminRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the admin command from `cwd` with `input` on stdin. Asynchronously: a synchronous spawn would freeze
 * this process for seconds, long enough for the server to close idle keep-alive sockets under the HTTP
 * client's feet.
 */
export function runAdmin(args: string[], options: { databaseUrl: string; input?: string; cwd?: string }): Promise<AdminRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [path.join(root, "scripts", "admin.mts"), ...args], {
      cwd: options.cwd ?? root,
      env: { ...process.env, DATABASE_URL: options.databaseUrl },
      timeout: 60_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}
