// Setup file of the "unit-pg" project: one fresh, migrated PostgreSQL database per test file (files run
// side by side, tests within a file one after another), dropped after the file. tests/support/temp-database.ts
// opens it and empties it after each test.
import { afterAll } from "vitest";
import { migratePostgres } from "../../scripts/migrate.mjs";
import { createTestDatabase } from "./postgres";

const database = await createTestDatabase();
await migratePostgres(database.url, () => {});
process.env.TEST_UNIT_DATABASE_URL = database.url;

afterAll(async () => {
  await database.drop();
});
