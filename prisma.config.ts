// Prisma's CLI with its JavaScript engine: no native binary is downloaded, so it runs on machines that
// reach only the npm registry. Used for `prisma generate` and for writing migrations (`npm run db:diff`).
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

/**
 * `migrate diff --from-migrations` replays each migration file on an in-memory shadow database through
 * `executeRaw`, which the better-sqlite3 adapter prepares as one statement, so any multi-statement file
 * fails (P3006). On the shadow connection only, a query without parameters runs as a script instead.
 */
function withScriptsOnShadow(factory: PrismaBetterSQLite3): PrismaBetterSQLite3 {
  const connectToShadowDb = factory.connectToShadowDb.bind(factory);
  factory.connectToShadowDb = async () => {
    const shadow = await connectToShadowDb();
    const executeRaw = shadow.executeRaw.bind(shadow);
    shadow.executeRaw = (query) =>
      query.args.length === 0 ? shadow.executeScript(query.sql).then(() => 0) : executeRaw(query);
    return shadow;
  };
  return factory;
}

// The schema reads DATABASE_URL; without a value the CLI would try to download a native engine.
process.env.DATABASE_URL ??= "file:./data/app.db";
const url = process.env.DATABASE_URL;

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  adapter: async () => withScriptsOnShadow(new PrismaBetterSQLite3({ url })),
});
