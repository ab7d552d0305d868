// Prisma's CLI with its JavaScript engine: no native binary is downloaded, so it runs on machines that
// reach only the npm registry. This one serves the SQLite schema (prisma/schema.prisma); the PostgreSQL
// variant has its own config in prisma/postgres/prisma.config.ts. Used for `prisma generate` and for
// writing migrations (`npm run db:migration`).
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

// The schema reads DATABASE_URL; without a value the CLI would try to download a native engine. A
// PostgreSQL URL in the environment (a deployment running `npm install`) is not this schema's business.
if (!process.env.DATABASE_URL?.startsWith("file:")) process.env.DATABASE_URL = "file:./data/app.db";
const url = process.env.DATABASE_URL;

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  adapter: async () => new PrismaBetterSQLite3({ url }),
});
