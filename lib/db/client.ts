// Opens the database named by DATABASE_URL: SQLite for `file:` URLs, PostgreSQL for `postgres://` and
// `postgresql://`. Both clients are generated on install and both are in every build, so switching needs
// no rebuild. One client per process, reused across requests and hot reloads.
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import type { AuthDb } from "./auth-db";
import { PrismaClient as PostgresClient } from "./generated/postgres/client";
import { PrismaClient as SqliteClient } from "./generated/sqlite/client";
import { postgresSessionQueries, sqliteSessionQueries, type SessionQueries } from "./session-queries";

export const DEFAULT_DATABASE_URL = "file:./data/app.db";
/** node-postgres's own default: connections per instance, so N instances open up to N times this. */
export const DEFAULT_POOL_SIZE = 10;

export type Dialect = "sqlite" | "postgresql";

export interface Database {
  dialect: Dialect;
  client: AuthDb;
  /** The hot paths (reading a session, rotating a refresh token) straight through the driver. */
  queries: SessionQueries;
  /** Disconnects Prisma, then the driver connections it shares. */
  close(): Promise<void>;
}

export function dialectOf(url: string): Dialect {
  if (url.startsWith("file:")) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(url)) return "postgresql";
  throw new Error(`DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL), not ${url.split(":")[0]}:`);
}

/** `closeDriver` closes what Prisma shares with the queries, once Prisma has let go. */
function assemble(dialect: Dialect, client: AuthDb, queries: SessionQueries, closeDriver: () => unknown): Database {
  return {
    dialect,
    client,
    queries,
    async close() {
      await client.$disconnect();
      await closeDriver();
    },
  };
}

export function openSqlite(url: string): Database {
  // better-sqlite3 waits up to `timeout` ms for a lock held by another process before giving up.
  const client = new SqliteClient({ adapter: new PrismaBetterSQLite3({ url, timeout: 5_000 }) });
  const queries = sqliteSessionQueries(url);
  return assemble("sqlite", client, queries, () => queries.close());
}

function poolSize(env: NodeJS.ProcessEnv): number {
  const raw = env.DATABASE_POOL_SIZE;
  if (raw === undefined || raw === "") return DEFAULT_POOL_SIZE;
  const size = Number(raw);
  if (!Number.isInteger(size) || size < 1) throw new Error(`DATABASE_POOL_SIZE must be a whole number ≥ 1, not "${raw}"`);
  return size;
}

export function openPostgres(url: string, env: NodeJS.ProcessEnv = process.env): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize(env),
    // A request that cannot get a connection fails after this long (a 503) instead of queueing forever.
    connectionTimeoutMillis: 10_000,
  });
  // An idle connection that breaks (a server restart) is dropped from the pool, not thrown at the process.
  pool.on("error", (error) => console.error(JSON.stringify({ event: "database_connection_lost", error: error.message })));
  const prisma = new PostgresClient({ adapter: new PrismaPg(pool) });
  // Same models, another generated type family: see auth-db.ts.
  return assemble("postgresql", prisma as unknown as AuthDb, postgresSessionQueries(pool), () => pool.end());
}

export function openDatabase(url: string): Database {
  return dialectOf(url) === "sqlite" ? openSqlite(url) : openPostgres(url);
}

const globalForDb = globalThis as unknown as { authDatabase?: Database };

export function database(): Database {
  globalForDb.authDatabase ??= openDatabase(process.env.DATABASE_URL || DEFAULT_DATABASE_URL);
  return globalForDb.authDatabase;
}
