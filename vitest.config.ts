import path from "node:path";
import { configDefaults, defineConfig } from "vitest/config";

// The server tests build the app once (tests/support/build.ts) and start `next start` processes.
const serverTests = {
  environment: "node",
  testTimeout: 60_000,
  hookTimeout: 120_000,
} as const;

export default defineConfig({
  resolve: { alias: { "@": path.resolve(__dirname) } },
  test: {
    projects: [
      {
        extends: true,
        // 30 s: a few tests hash a hundred passwords (argon2id), slow while the other projects share the cores.
        test: {
          name: "unit",
          include: ["lib/**/*.test.ts", "scripts/**/*.test.ts"],
          // Needs PostgreSQL itself (LISTEN/NOTIFY): in unit-pg only.
          exclude: [...configDefaults.exclude, "lib/db/pg-revocation-feed.test.ts"],
          environment: "node",
          testTimeout: 30_000,
        },
      },
      {
        // The store and the service over PostgreSQL: the same tests, on a database per test file.
        extends: true,
        test: {
          name: "unit-pg",
          include: [
            "lib/auth/service.test.ts",
            "lib/auth/recovery.test.ts",
            "lib/db/prisma-store.test.ts",
            "lib/auth/admin.test.ts",
            "lib/db/pg-revocation-feed.test.ts",
          ],
          environment: "node",
          testTimeout: 30_000,
          env: { TEST_DATABASE: "postgres" },
          globalSetup: ["tests/support/postgres.ts"],
          setupFiles: ["tests/support/unit-pg-setup.ts"],
        },
      },
      {
        extends: true,
        test: {
          ...serverTests,
          name: "api",
          include: ["tests/api/**/*.test.ts"],
          globalSetup: ["tests/support/build.ts"],
        },
      },
      {
        // The same API tests, each server on a fresh PostgreSQL database. Fails when PostgreSQL is down.
        extends: true,
        test: {
          ...serverTests,
          name: "api-pg",
          include: ["tests/api/**/*.test.ts"],
          // These read the SQLite file directly (faults: a locked file, the rows after a kill; activity: that
          // no stored event holds a secret), and one fuzz run is enough.
          exclude: ["tests/api/faults.test.ts", "tests/api/activity.test.ts", "tests/api/fuzz.test.ts"],
          env: { TEST_DATABASE: "postgres" },
          globalSetup: ["tests/support/postgres.ts", "tests/support/build.ts"],
        },
      },
      {
        // Two `next start` instances over one PostgreSQL database. Runs after the other projects, alone,
        // because its figures (revocation delay, requests within the grace period) are about timing.
        extends: true,
        test: {
          ...serverTests,
          name: "multi",
          include: ["tests/multi/**/*.test.ts"],
          // One file at a time: each starts its own instances, and the timings of one must not pay for another's.
          fileParallelism: false,
          env: { TEST_DATABASE: "postgres" },
          globalSetup: ["tests/support/postgres.ts", "tests/support/build.ts"],
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
