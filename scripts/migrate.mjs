// Applies the migrations to the database in DATABASE_URL: prisma/migrations on SQLite (file:…),
// prisma/postgres/migrations on PostgreSQL (postgres:// or postgresql://). Each is recorded in
// `_prisma_migrations` exactly as `prisma migrate deploy` does (same table, same SHA-256 checksum), so either
// tool can take over from the other. Runs at every start; a second run is a no-op, and instances starting
// at once apply each migration once.
import { createHash, randomUUID } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import pg from "pg";
import { databaseSettings, dialectOf, sqliteFile } from "../lib/settings.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Creates the SQLite file, and its folder, for the owner alone (0600, folder 0700) when they do not exist
 * yet: SQLite gives the -wal and -shm files it makes later the database file's own mode.
 */
function createPrivately(file) {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(file, "wx", 0o600));
  } catch (error) {
    if (error?.code !== "EEXIST") throw error;
  }
}

function migrations(folder) {
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(folder, entry.name, "migration.sql")))
    .map((entry) => {
      const sql = readFileSync(path.join(folder, entry.name, "migration.sql"), "utf8");
      return { name: entry.name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function migrateSqlite(url, log = console.log) {
  const file = sqliteFile(url, root);
  createPrivately(file);
  const db = new Database(file, { timeout: 10_000 });
  try {
    // WAL lets readers go on while one writer commits; it is a property of the file, set once.
    db.pragma("journal_mode = WAL");
    db.exec(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" TEXT PRIMARY KEY NOT NULL,
      "checksum" TEXT NOT NULL,
      "finished_at" DATETIME,
      "migration_name" TEXT NOT NULL,
      "logs" TEXT,
      "rolled_back_at" DATETIME,
      "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
      "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
    )`);
    const applied = db.prepare(
      `SELECT checksum FROM "_prisma_migrations" WHERE migration_name = ? AND finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    const record = db.prepare(
      `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
       VALUES (?, ?, strftime('%s','now') * 1000, ?, strftime('%s','now') * 1000, 1)`,
    );
    for (const migration of migrations(path.join(root, "prisma", "migrations"))) {
      // IMMEDIATE takes the write lock first, so two processes starting at once apply each migration once.
      db.transaction(() => {
        const row = applied.get(migration.name);
        if (row) {
          if (row.checksum !== migration.checksum) {
            throw new Error(`migration ${migration.name} was changed after it was applied`);
          }
          return;
        }
        db.exec(migration.sql);
        record.run(randomUUID(), migration.checksum, migration.name);
        log(`applied migration ${migration.name}`);
      }).immediate();
    }
  } finally {
    db.close();
  }
}

// The key `prisma migrate deploy` locks on PostgreSQL: sharing it keeps our runner and Prisma's from ever
// migrating one database at the same time.
const PRISMA_MIGRATE_LOCK = 72707369;

export async function migratePostgres(url, log = console.log) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // A session-level lock: the second of two instances starting together waits here, then finds every
    // migration recorded. It is released when the connection ends, even if this process dies.
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_MIGRATE_LOCK]);
    // Prisma's own DDL for this table, word for word.
    await client.query(`CREATE TABLE IF NOT EXISTS _prisma_migrations (
      id                      VARCHAR(36) PRIMARY KEY NOT NULL,
      checksum                VARCHAR(64) NOT NULL,
      finished_at             TIMESTAMPTZ,
      migration_name          VARCHAR(255) NOT NULL,
      logs                    TEXT,
      rolled_back_at          TIMESTAMPTZ,
      started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
      applied_steps_count     INTEGER NOT NULL DEFAULT 0
    )`);
    const { rows } = await client.query(
      "SELECT migration_name, checksum, finished_at FROM _prisma_migrations WHERE rolled_back_at IS NULL",
    );
    const failed = rows.find((row) => row.finished_at === null);
    if (failed) {
      // What `prisma migrate deploy` refuses too (P3009): someone has to look at the half-applied migration.
      throw new Error(
        `migration ${failed.migration_name} failed earlier and is recorded as unfinished; ` +
          "fix the database, then mark it with `prisma migrate resolve` (see README, Scaling out)",
      );
    }
    const applied = new Map(rows.map((row) => [row.migration_name, row.checksum]));
    for (const migration of migrations(path.join(root, "prisma", "postgres", "migrations"))) {
      if (applied.has(migration.name)) {
        if (applied.get(migration.name) !== migration.checksum) {
          throw new Error(`migration ${migration.name} was changed after it was applied`);
        }
        continue;
      }
      // PostgreSQL's DDL is transactional: a migration and its record commit together or not at all.
      await client.query("BEGIN");
      try {
        await client.query(migration.sql);
        await client.query(
          `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
           VALUES ($1, $2, now(), $3, now(), 1)`,
          [randomUUID(), migration.checksum, migration.name],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw new Error(`migration ${migration.name} failed: ${error instanceof Error ? error.message : error}`);
      }
      log(`applied migration ${migration.name}`);
    }
  } finally {
    await client.end();
  }
}

export async function migrate(url, log) {
  return dialectOf(url) === "sqlite" ? migrateSqlite(url, log) : migratePostgres(url, log);
}

// A promise chain, not top-level await: tools that load this file as CommonJS (tsx, for the benchmark's
// in-process figures through tests/support/temp-database.ts) cannot compile top-level await.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  Promise.resolve().then(() => migrate(databaseSettings(process.env, root).url)).catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
