// Builds the app once before the server tests, so they run against a production build of the current code;
// the benchmark (bench/run.mts) builds through buildApp too. SKIP_BUILD=1 reuses an existing build (handy
// while iterating on tests alone).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { projectRoot as root } from "./root";

/** `next build`, unless SKIP_BUILD=1 and a build exists. The build never sees a secret. */
export function buildApp(log: (line: string) => void = () => {}): void {
  if (process.env.SKIP_BUILD === "1" && existsSync(path.join(root, ".next", "BUILD_ID"))) {
    log("SKIP_BUILD=1: using the existing build");
    return;
  }
  log("building (next build) …");
  const next = createRequire(path.join(root, "package.json")).resolve("next/dist/bin/next");
  const result = spawnSync(process.execPath, [next, "build"], {
    cwd: root,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", AUTH_SECRET: "" },
    stdio: "inherit",
  });
  if (result.status !== 0) throw new Error("next build failed");
}

// Several projects (api, api-pg, multi) list this setup; vitest runs them in one process, so a flag on
// globalThis makes the first one build and the others reuse it.
const globalForBuild = globalThis as unknown as { keepSignedInBuilt?: boolean };

export default function setup(): void {
  if (globalForBuild.keepSignedInBuilt) return;
  buildApp();
  globalForBuild.keepSignedInBuilt = true;
}
