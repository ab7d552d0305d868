// Builds the app once before the server tests, so they run against a production build of the current code.
// SKIP_BUILD=1 reuses an existing build (handy while iterating on tests alone).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

// Several projects (api, api-pg, multi) list this setup; vitest runs them in one process, so a flag on
// globalThis makes the first one build and the others reuse it.
const globalForBuild = globalThis as unknown as { keepSignedInBuilt?: boolean };

export default function setup(): void {
  const root = path.resolve(__dirname, "..", "..");
  if (globalForBuild.keepSignedInBuilt) return;
  if (process.env.SKIP_BUILD === "1" && existsSync(path.join(root, ".next", "BUILD_ID"))) return;
  const result = spawnSync(process.execPath, [require.resolve("next/dist/bin/next"), "build"], {
    cwd: root,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", AUTH_SECRET: "" },
    stdio: "inherit",
  });
  if (result.status !== 0) throw new Error("next build failed");
  globalForBuild.keepSignedInBuilt = true;
}
