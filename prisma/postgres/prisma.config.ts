// Prisma's CLI for the PostgreSQL variant: prisma/postgres/schema.prisma, derived from prisma/schema.prisma
// by scripts/derive-postgres-schema.mjs. Paths are relative to this file.
//
// By default it uses the JavaScript engine with the pg driver adapter, which needs nothing outside the npm
// registry and serves `prisma generate` and `prisma migrate diff`. Prisma's migrate commands that read a
// live PostgreSQL database fail through that adapter (prisma/orm#27403), so a team whose machines can
// download Prisma's native schema engine sets PRISMA_SCHEMA_ENGINE=classic to run `prisma migrate deploy`
// (or `status`, `resolve`) on prisma/postgres/migrations; see "Scaling out" in the README.
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";

// Without a PostgreSQL URL the CLI cannot read the schema and falls back to downloading a native engine.
// A SQLite URL in the environment (the default setup running `npm install`) is not this schema's business.
const given = process.env.DATABASE_URL ?? "";
const url = /^postgres(ql)?:\/\//.test(given) ? given : "postgresql://postgres@127.0.0.1:5432/postgres";
process.env.DATABASE_URL = url;
const schema = path.join("schema.prisma");
const migrations = { path: path.join("migrations") };

export default process.env.PRISMA_SCHEMA_ENGINE === "classic"
  ? defineConfig({ schema, migrations, engine: "classic", datasource: { url } })
  : defineConfig({
      experimental: { adapter: true },
      engine: "js",
      schema,
      migrations,
      // allowExitOnIdle: the CLI exits when done instead of waiting out the pool's idle timeout (10 s).
      adapter: async () => new PrismaPg({ connectionString: url, allowExitOnIdle: true }),
    });
