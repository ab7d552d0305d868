// Opens the database named by DATABASE_URL: SQLite for `file:` URLs, PostgreSQL for `postgres://` and
// `postgresql://`. Both clients are generated on install and both are in every build, so switching needs
// no rebuild. One client per process, reused across requests and hot reloads.
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import type { AuthDb } from "./auth-db";
import { PrismaClient as PostgresClient } from "./generated/postgres/client";
import { PrismaClient as SqliteClient } from "./generated/sqlite/client";
import { databaseSettings, dialectOf, poolSize, sqliteFile, type Dialect, type Env } from "../settings.mjs";
import type { RevocationFeed } from "../auth/revocation-feed";
import { postgresRevocationFeed } from "./pg-revocation-feed";
import { postgresSessionQueries, sqliteSessionQueries, type SessionQueries } from "./session-queries";

export interface Database {
  dialect: Dialect;
  client: AuthDb;
  /** The hot paths (reading a session, rotating a refresh token) straight through the driver. */
  queries: SessionQueries;
  /** PostgreSQL's connection pool, shared with Prisma (the per-address bounds count on it); none on SQLite. */
  pool?: pg.Pool;
  /**
   * PostgreSQL's revocation feed between instances (LISTEN/NOTIFY), made when asked: its listening
   * connection opens with the first subscriber and closes with the database.
   */
  revocationFeed?: () => RevocationFeed;
  /** Disconnects Prisma, then the driver connections it shares. */
  close(): Promise<void>;
}

/** `closeDriver` closes what Prisma shares with the queries, once Prisma has let go. */
function assemble(dialect: Dialect, client: AuthDb, queries: SessionQueries, closeDriver: () => unknown, pool?: pg.Pool): Database {
  return {
    dialect,
    client,
    queries,
    pool,
    async close() {
      await client.$disconnect();
      await closeDriver();
    },
  };
}

/** A relative SQLite path is taken from the working folder (the project's, under `npm start`). */
export function openSqlite(configuredUrl: string): Database {
  // Both connections get the same absolute path: neither resolves a relative one in its own way.
  const url = `file:${sqliteFile(configuredUrl, process.cwd())}`;
  // better-sqlite3 waits up to `timeout` ms for a lock held by another process before giving up.
  const client = new SqliteClient({ adapter: new PrismaBetterSQLite3({ url, timeout: 5_000 }) });
  const queries = sqliteSessionQueries(url);
  return assemble("sqlite", client, queries, () => queries.close());
}

export function openPostgres(url: string, env: Env = process.env): Database {
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
  let feed: RevocationFeed | undefined;
  const database = assemble("postgresql", prisma as unknown as AuthDb, postgresSessionQueries(pool), async () => {
    await feed?.close();
    await pool.end();
  }, pool);
  return { ...database, revocationFeed: () => (feed ??= postgresRevocationFeed(url)) };
}

export function openDatabase(url: string, env: Env = process.env): Database {
  return dialectOf(url) === "sqlite" ? openSqlite(url) : openPostgres(url, env);
}

const globalForDb = globalThis as unknown as { authDatabase?: Database };

/** This process's database, the one DATABASE_URL names (lib/settings.mjs), opened at first use. */
export function database(): Database {
  globalForDb.authDatabase ??= openDatabase(databaseSettings(process.env, process.cwd()).url);
  return globalForDb.authDatabase;
}
