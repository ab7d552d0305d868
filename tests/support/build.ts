// Builds the app once before the API tests, so they run against a production build of the current code.
// SKIP_BUILD=1 reuses an existing build (handy while iterating on tests alone).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

export default function setup(): void {
  const root = path.resolve(__dirname, "..", "..");
  if (process.env.SKIP_BUILD === "1" && existsSync(path.join(root, ".next", "BUILD_ID"))) return;
  const result = spawnSync(process.execPath, [require.resolve("next/dist/bin/next"), "build"], {
    cwd: root,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", AUTH_SECRET: "" },
    stdio: "inherit",
  });
  if (result.status !== 0) throw new Error("next build failed");
}
