// Writes and checks the SQL migrations of both databases from the one schema, prisma/schema.prisma.
//
//   node scripts/migrations.mjs new <name>   (npm run db:migration -- <name>)
//   node scripts/migrations.mjs postgres     (npm run db:migration:postgres)
//   node scripts/migrations.mjs check        (npm run db:check)
//
// Prisma's usual way, `prisma migrate dev`, needs a shadow database that its JavaScript engine cannot
// drive here (P3006 on SQLite, prisma/orm#27403 on PostgreSQL). So every migration folder of
// prisma/migrations keeps, next to its migration.sql, a snapshot of the schema it leads to (schema.prisma,
// which `prisma migrate deploy` ignores), and a new migration is the `prisma migrate diff` from the newest
// snapshot to the current schema: once for SQLite into prisma/migrations/<name>/, once for the derived
// PostgreSQL schema into prisma/postgres/migrations/<name>/ (same name, so both histories stay in step).
// `postgres` writes the PostgreSQL side of SQLite migrations that lack one (one merged from a branch that
// predates PostgreSQL, once its folder has its snapshot). Both sides may be edited by hand before they are
// applied, as with any Prisma migration; `check` therefore compares folders and schema, not file contents.
// Writing PostgreSQL SQL needs a reachable PostgreSQL server (POSTGRES_URL, default the local one): the
// CLI opens it though it only compares two schema files.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { derivePostgresSchema } from "./derive-postgres-schema.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const prismaBin = createRequire(import.meta.url).resolve("prisma/build/index.js");
const SCHEMA = path.join(root, "prisma", "schema.prisma");
const SQLITE_DIR = path.join(root, "prisma", "migrations");
const POSTGRES_DIR = path.join(root, "prisma", "postgres", "migrations");
const POSTGRES_URL = process.env.POSTGRES_URL || "postgresql://postgres@127.0.0.1:5432/postgres";

const migrationNames = (folder) =>
  existsSync(folder)
    ? readdirSync(folder, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort()
    : [];

/** `prisma migrate diff … --script` from a schema file (or nothing) to a schema file, for one provider. */
function diff(provider, fromFile, toFile, scratch) {
  const sqlite = provider === "sqlite";
  const args = [prismaBin, "migrate", "diff", "--script"];
  args.push("--config", sqlite ? path.join(root, "prisma.config.ts") : path.join(root, "prisma", "postgres", "prisma.config.ts"));
  args.push(...(fromFile ? ["--from-schema-datamodel", fromFile] : ["--from-empty"]));
  args.push("--to-schema-datamodel", toFile);
  const DATABASE_URL = sqlite ? `file:${path.join(scratch, "diff.db")}` : POSTGRES_URL;
  const result = spawnSync(process.execPath, args, { cwd: root, env: { ...process.env, DATABASE_URL, CHECKPOINT_DISABLE: "1" }, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`prisma migrate diff (${provider}) failed:\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

/**
 * The SQL of one step, from snapshot `from` (null: an empty database) to snapshot `to`, for the providers
 * asked for (both by default).
 */
function migrationSql(fromSnapshot, toSnapshot, providers = ["sqlite", "postgres"]) {
  const scratch = mkdtempSync(path.join(tmpdir(), "auth-migrations-"));
  try {
    const file = (name, text) => (text === null ? null : (writeFileSync(path.join(scratch, name), text), path.join(scratch, name)));
    const sql = {};
    if (providers.includes("sqlite")) {
      sql.sqlite = diff("sqlite", file("from.prisma", fromSnapshot), file("to.prisma", toSnapshot), scratch);
    }
    if (providers.includes("postgres")) {
      const from = file("from.pg.prisma", fromSnapshot === null ? null : derivePostgresSchema(fromSnapshot));
      sql.postgres = diff("postgresql", from, file("to.pg.prisma", derivePostgresSchema(toSnapshot)), scratch);
    }
    return sql;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const isEmpty = (sql) => sql.trim() === "" || sql.trim() === "-- This is an empty migration.";

const snapshotOf = (name) => {
  const file = path.join(SQLITE_DIR, name, "schema.prisma");
  if (!existsSync(file)) throw new Error(`prisma/migrations/${name} has no schema.prisma snapshot`);
  return readFileSync(file, "utf8");
};

function newMigration(label) {
  if (!/^[a-z0-9_]+$/.test(label ?? "")) throw new Error("usage: npm run db:migration -- <name in lower_snake_case>");
  const names = migrationNames(SQLITE_DIR);
  const previous = names.length ? snapshotOf(names[names.length - 1]) : null;
  const current = readFileSync(SCHEMA, "utf8");
  const sql = migrationSql(previous, current);
  if (isEmpty(sql.sqlite) && isEmpty(sql.postgres)) {
    console.log("prisma/schema.prisma has no change since the last migration: nothing written.");
    return;
  }
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  const name = `${stamp}_${label}`;
  mkdirSync(path.join(SQLITE_DIR, name));
  writeFileSync(path.join(SQLITE_DIR, name, "migration.sql"), sql.sqlite);
  copyFileSync(SCHEMA, path.join(SQLITE_DIR, name, "schema.prisma"));
  mkdirSync(path.join(POSTGRES_DIR, name), { recursive: true });
  writeFileSync(path.join(POSTGRES_DIR, name, "migration.sql"), sql.postgres);
  console.log(`wrote prisma/migrations/${name} and prisma/postgres/migrations/${name}: review both before committing`);
}

/** Writes the PostgreSQL migration of every SQLite migration that has none yet. */
function backfillPostgres() {
  const names = migrationNames(SQLITE_DIR);
  let written = 0;
  names.forEach((name, index) => {
    const target = path.join(POSTGRES_DIR, name, "migration.sql");
    if (existsSync(target)) return;
    const previous = index > 0 ? snapshotOf(names[index - 1]) : null;
    const { postgres } = migrationSql(previous, snapshotOf(name), ["postgres"]);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, postgres);
    console.log(`wrote prisma/postgres/migrations/${name}: review it before committing`);
    written++;
  });
  if (written === 0) console.log("every SQLite migration has its PostgreSQL counterpart: nothing written.");
}

/** Fails when a migration exists for one database only, lacks its snapshot, or the schema moved on. */
function check() {
  const problems = [];
  const names = migrationNames(SQLITE_DIR);
  const postgresNames = migrationNames(POSTGRES_DIR);
  if (names.join() !== postgresNames.join()) {
    problems.push(
      `migration folders differ (npm run db:migration:postgres writes missing PostgreSQL ones):\n` +
        `  sqlite:   ${names.join(", ")}\n  postgres: ${postgresNames.join(", ")}`,
    );
  }
  for (const name of names) {
    if (!existsSync(path.join(SQLITE_DIR, name, "schema.prisma"))) {
      problems.push(`prisma/migrations/${name} has no schema.prisma snapshot of the schema it leads to`);
    }
  }
  if (names.length && problems.length === 0) {
    // Compared as SQL, not text: a comment in the schema needs no migration.
    const pending = migrationSql(snapshotOf(names[names.length - 1]), readFileSync(SCHEMA, "utf8"));
    if (!isEmpty(pending.sqlite) || !isEmpty(pending.postgres)) {
      problems.push("prisma/schema.prisma changed since the last migration: run `npm run db:migration -- <name>`");
    }
  }
  if (problems.length) throw new Error(problems.join("\n"));
  console.log(`${names.length} migration(s), for SQLite and PostgreSQL alike, lead to prisma/schema.prisma`);
}

const [command, label] = process.argv.slice(2);
try {
  if (command === "new") newMigration(label);
  else if (command === "postgres") backfillPostgres();
  else if (command === "check") check();
  else throw new Error("usage: node scripts/migrations.mjs new <name> | postgres | check");
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
