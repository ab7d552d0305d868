// A real, migrated database for tests of the store and the service, empty at each open. By default a
// SQLite file in a fresh temporary folder; with TEST_DATABASE=postgres (the "unit-pg" test project) the
// PostgreSQL database that tests/support/unit-pg-setup.ts made for this test file, emptied at dispose.
// `dispose` also disconnects Prisma.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { migrateSqlite } from "../../scripts/migrate.mjs";
import type { AuthDb } from "../../lib/db/auth-db";
import type { Dialect } from "../../lib/settings.mjs";
import { openPostgres, openSqlite, type Database } from "../../lib/db/client";
import { PrismaAuthStore } from "../../lib/db/prisma-store";
import type { SessionQueries } from "../../lib/db/session-queries";

export interface TempDatabase {
  /** The full client, for tests that look at rows the store does not expose. */
  db: AuthDb;
  /** The driver-level queries the store uses on its hot paths. */
  queries: SessionQueries;
  store: PrismaAuthStore;
  dialect: Dialect;
  url: string;
  dispose(): Promise<void>;
}

function tempDatabase(database: Database, url: string, dispose: () => Promise<void>): TempDatabase {
  // The few extra calls the tests make on `db` (count, findMany, …) take the same arguments on both
  // generated clients, which TypeScript cannot see (see auth-db.ts).
  const { client: db, queries, dialect } = database;
  return { db, queries, dialect, url, store: new PrismaAuthStore(database), dispose };
}

export function openTempDatabase(): TempDatabase {
  if (process.env.TEST_DATABASE === "postgres") {
    const url = process.env.TEST_UNIT_DATABASE_URL;
    if (!url) throw new Error("TEST_DATABASE=postgres needs tests/support/unit-pg-setup.ts as a setup file");
    const database = openPostgres(url);
    return tempDatabase(database, url, async () => {
      await database.client.$executeRawUnsafe('TRUNCATE "LoginFailure", "RefreshToken", "Session", "SecurityEvent", "User" RESTART IDENTITY CASCADE');
      await database.close();
    });
  }
  const dir = mkdtempSync(path.join(tmpdir(), "auth-unit-"));
  const url = `file:${path.join(dir, "test.db")}`;
  migrateSqlite(url, () => {});
  const database = openSqlite(url);
  return tempDatabase(database, url, async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });
}
