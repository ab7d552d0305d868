// `npm start`: everything a fresh clone needs to serve. Prepares the data folder and the secret, applies
// migrations, builds when there is no build yet, then runs `next start` (or `next dev` with --dev).
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isPostgresUrl, isSqliteUrl, migrate, sqlitePath } from "./migrate.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const nextBin = createRequire(import.meta.url).resolve("next/dist/bin/next");
const dev = process.argv.includes("--dev");
const MIN_SECRET_BYTES = 32;

function fail(message) {
  console.error(`\n${message}\n`);
  process.exit(1);
}

/** The secret lives in the data folder: generated once, readable only by its owner, never in the code. */
function loadOrCreateSecret(dataDir) {
  const file = path.join(dataDir, "auth-secret");
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(48).toString("base64url"), { mode: 0o600, flag: "wx" });
    console.log(`Generated a signing secret in ${path.relative(root, file) || file}`);
  }
  return readFileSync(file, "utf8").trim();
}

const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
env.DATABASE_URL ||= "file:./data/app.db";
const dataDir = isSqliteUrl(env.DATABASE_URL) ? path.dirname(sqlitePath(env.DATABASE_URL)) : path.join(root, "data");
if (isSqliteUrl(env.DATABASE_URL)) env.DATABASE_URL = `file:${sqlitePath(env.DATABASE_URL)}`;
if (env.DATABASE_POOL_SIZE && !/^[1-9]\d*$/.test(env.DATABASE_POOL_SIZE)) {
  fail(`DATABASE_POOL_SIZE must be a whole number of at least 1, not "${env.DATABASE_POOL_SIZE}".`);
}
if (!env.AUTH_SECRET && isPostgresUrl(env.DATABASE_URL)) {
  // A PostgreSQL database is usually shared by several instances, and each must sign and derive tokens
  // with the same secret: one generated here belongs to this machine's data folder only.
  console.warn(
    "AUTH_SECRET is not set: using a secret kept in this machine's data folder. Every instance that shares " +
      "this database must have the same AUTH_SECRET, or tokens issued by one are refused by the others.",
  );
}
env.AUTH_SECRET ||= loadOrCreateSecret(dataDir);
if (Buffer.byteLength(env.AUTH_SECRET) < MIN_SECRET_BYTES) fail(`AUTH_SECRET must be at least ${MIN_SECRET_BYTES} bytes.`);
// Secrets of before a rotation, comma-separated: still accepted, never used to sign (README).
for (const previous of (env.AUTH_PREVIOUS_SECRETS ?? "").split(",").map((secret) => secret.trim()).filter(Boolean)) {
  if (Buffer.byteLength(previous) < MIN_SECRET_BYTES) fail(`Each AUTH_PREVIOUS_SECRETS entry must be at least ${MIN_SECRET_BYTES} bytes.`);
}

try {
  await migrate(env.DATABASE_URL);
} catch (error) {
  fail(`Could not apply migrations: ${error instanceof Error ? error.message : error}`);
}

if (!dev && !existsSync(path.join(root, ".next", "BUILD_ID"))) {
  console.log("No build yet: running `next build` (once).");
  // The build never sees the secret: nothing secret can be inlined into the bundles.
  const { AUTH_SECRET: _secret, ...buildEnv } = env;
  const build = spawnSync(process.execPath, [nextBin, "build"], { cwd: root, env: buildEnv, stdio: "inherit" });
  if (build.status !== 0) fail("`next build` failed.");
}

const args = dev ? ["dev"] : ["start"];
args.push("--port", env.PORT || "3000");
if (env.HOSTNAME_BIND) args.push("--hostname", env.HOSTNAME_BIND);
const server = spawn(process.execPath, [nextBin, ...args], { cwd: root, env, stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
