// Prisma's CLI with its JavaScript engine: no native binary is downloaded, so it runs on machines that
// reach only the npm registry. Used for `prisma generate` and for writing migrations (`npm run db:diff`).
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

// The schema reads DATABASE_URL; without a value the CLI would try to download a native engine.
process.env.DATABASE_URL ??= "file:./data/app.db";
const url = process.env.DATABASE_URL;

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  adapter: async () => new PrismaBetterSQLite3({ url }),
});
