// `npm start`: everything a fresh clone needs to serve. Prepares the data folder and the secret, applies
// migrations, builds when there is no build yet, then serves through scripts/serve.mjs (Next.js in
// production mode, or in development mode with --dev) on PORT.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { appEnvironment, projectRoot as root } from "./app-environment.mjs";
import { migrate } from "./migrate.mjs";

const nextBin = createRequire(import.meta.url).resolve("next/dist/bin/next");
const dev = process.argv.includes("--dev");

function fail(message) {
  console.error(`\n${message}\n`);
  process.exit(1);
}

let env;
try {
  ({ env } = appEnvironment(
    { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    {
      warn: (message) => console.warn(message),
      onSecretCreated: (file) => console.log(`Generated a signing secret in ${path.relative(root, file) || file}`),
    },
  ));
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
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

// What the server creates from now on (SQLite's -wal and -shm files, mail in the outbox, caches) is its
// owner's alone, like the secret and the database file beside them.
process.umask(0o077);
// Our own Node.js server around Next.js (scripts/serve.mjs) instead of `next start`: it records each
// connection's address, which the app needs to tell a client's X-Forwarded-For from its real address.
const server = spawn(process.execPath, [path.join(root, "scripts", "serve.mjs"), ...(dev ? ["--dev"] : [])], {
  cwd: root,
  env,
  stdio: "inherit",
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
