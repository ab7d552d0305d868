// Applies prisma/migrations to the database in DATABASE_URL, recording each in `_prisma_migrations`
// exactly as `prisma migrate deploy` does (same table, same SHA-256 checksum), so either tool can take
// over from the other. Runs at every start; a second run is a no-op.
import { createHash, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The SQLite file of a `file:` URL, relative to the project folder when not absolute. */
export function sqlitePath(url) {
  const file = url.replace(/^file:/, "").replace(/\?.*$/, "");
  return path.resolve(root, file);
}

export function isSqliteUrl(url) {
  return url.startsWith("file:");
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
  const file = sqlitePath(url);
  mkdirSync(path.dirname(file), { recursive: true });
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

export async function migrate(url, log) {
  if (isSqliteUrl(url)) return migrateSqlite(url, log);
  throw new Error(`unsupported DATABASE_URL: ${url.split(":")[0]}: (use file:… for SQLite)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await migrate(process.env.DATABASE_URL || "file:./data/app.db");
}
