// A real, migrated database for tests of the store and the service, empty at each open. By default a
// SQLite file in a fresh temporary folder; with TEST_DATABASE=postgres (the "unit-pg" test project) the
// PostgreSQL database that tests/support/unit-pg-setup.ts made for this test file, emptied at dispose.
// `dispose` also disconnects Prisma.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { migrateSqlite } from "../../scripts/migrate.mjs";
import type { AuthDb } from "./auth-db";
import { openPostgres, openSqlite } from "./client";
import { PrismaAuthStore } from "./prisma-store";

type FullClient = ReturnType<typeof openSqlite>;

export interface TempDatabase {
  /** The full client, for tests that look at rows the store does not expose. */
  db: FullClient;
  store: PrismaAuthStore;
  dispose(): Promise<void>;
}

function openTempPostgres(url: string): TempDatabase {
  const client = openPostgres(url);
  return {
    // Test-only: the few extra calls the tests make (count, findMany, …) take the same arguments on both
    // generated clients, which TypeScript cannot see (see auth-db.ts); the store itself needs no cast.
    db: client as unknown as FullClient,
    store: new PrismaAuthStore({ dialect: "postgresql", client: client as unknown as AuthDb }),
    async dispose() {
      await client.$executeRawUnsafe('TRUNCATE "LoginFailure", "RefreshToken", "Session", "SecurityEvent", "User" RESTART IDENTITY CASCADE');
      await client.$disconnect();
    },
  };
}

export function openTempDatabase(): TempDatabase {
  if (process.env.TEST_DATABASE === "postgres") {
    const url = process.env.TEST_UNIT_DATABASE_URL;
    if (!url) throw new Error("TEST_DATABASE=postgres needs tests/support/unit-pg-setup.ts as a setup file");
    return openTempPostgres(url);
  }
  const dir = mkdtempSync(path.join(tmpdir(), "auth-unit-"));
  const url = `file:${path.join(dir, "test.db")}`;
  migrateSqlite(url, () => {});
  const db = openSqlite(url);
  return {
    db,
    store: new PrismaAuthStore({ dialect: "sqlite", client: db }),
    async dispose() {
      await db.$disconnect();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
