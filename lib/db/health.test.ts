import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase } from "./client";
import { databaseIsUp } from "./health";
import { openTempDatabase } from "../../tests/support/temp-database";

describe("databaseIsUp", () => {
  it("is true for a database that answers", async () => {
    const database = openTempDatabase();
    try {
      expect(await databaseIsUp(database.db)).toBe(true);
    } finally {
      await database.dispose();
    }
  });

  it("is false, not an exception, for a database that cannot be opened", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "auth-health-"));
    const db = openDatabase(`file:${path.join(dir, "missing-folder", "app.db")}`);
    try {
      expect(await databaseIsUp(db.client)).toBe(false);
    } finally {
      await db.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
