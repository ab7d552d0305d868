// A real SQLite database in a fresh temporary folder, migrated like the app's own, for tests of the store
// and the service. `dispose` disconnects Prisma and deletes the folder.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { migrateSqlite } from "../../scripts/migrate.mjs";
import { openSqlite } from "./client";
import { PrismaAuthStore } from "./prisma-store";

export interface TempDatabase {
  /** The full SQLite client, for tests that look at rows the store does not expose. */
  db: ReturnType<typeof openSqlite>;
  store: PrismaAuthStore;
  dispose(): Promise<void>;
}

export function openTempDatabase(): TempDatabase {
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
