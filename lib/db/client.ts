// Opens the database named by DATABASE_URL. One client per process, reused across requests and hot reloads.
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "./generated/sqlite/client";

export const DEFAULT_DATABASE_URL = "file:./data/app.db";

export type Database = InstanceType<typeof PrismaClient>;

const globalForDb = globalThis as unknown as { authDatabase?: Database };

export function openDatabase(url: string): Database {
  // better-sqlite3 waits up to `timeout` ms for a lock held by another process before giving up.
  return new PrismaClient({ adapter: new PrismaBetterSQLite3({ url, timeout: 5_000 }) });
}

export function database(): Database {
  globalForDb.authDatabase ??= openDatabase(process.env.DATABASE_URL || DEFAULT_DATABASE_URL);
  return globalForDb.authDatabase;
}
