// Throwaway PostgreSQL databases on the local server for the tests that run against PostgreSQL
// (TEST_DATABASE=postgres: the "api-pg" and "multi" projects). Each gets a fresh database, dropped after.
import { randomBytes } from "node:crypto";
import pg from "pg";

/** A database on the server where we may create and drop others. */
export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL || "postgresql://postgres@127.0.0.1:5432/postgres";

export function postgresRequested(): boolean {
  return process.env.TEST_DATABASE === "postgres";
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface TestPostgresDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestPostgresDatabase> {
  const name = `auth_test_${randomBytes(6).toString("hex")}`;
  await admin((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    // FORCE ends connections a killed server may have left behind (PostgreSQL 13+).
    drop: () => admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/** Runs `sql` on the database at `url` (tests that inspect rows the API does not show). */
export async function query<T extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/**
 * vitest globalSetup of the PostgreSQL projects: without a server they must fail, loudly, rather than
 * pass having tested nothing.
 */
export default async function assertPostgresReachable(): Promise<void> {
  try {
    await admin((client) => client.query("SELECT 1"));
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${POSTGRES_ADMIN_URL} (${error instanceof Error ? error.message : error}). ` +
        "The unit-pg, api-pg and multi test projects need it: start it (pg_ctlcluster --skip-systemctl-redirect " +
        "$(ls /etc/postgresql) main start) or point TEST_POSTGRES_URL at a server where tests may create databases.",
    );
  }
}
