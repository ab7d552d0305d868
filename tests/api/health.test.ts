// GET /api/health answers from the database's state: up (200) or down (503), and recovers by itself.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startServer, type TestServer } from "../support/server";

const dir = mkdtempSync(path.join(tmpdir(), "auth-health-"));
const dbFolder = path.join(dir, "db");
let server: TestServer;

beforeAll(async () => {
  server = await startServer({ DATABASE_URL: `file:${path.join(dbFolder, "app.db")}` });
});
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function health(): Promise<{ status: number; body: unknown; cache: string | null }> {
  const response = await fetch(`${server.url}/api/health`);
  return { status: response.status, body: await response.json(), cache: response.headers.get("cache-control") };
}

test("answers 503 with the database down while it cannot be opened, and 200 once it can", async () => {
  // The server has not opened the database yet (nothing asked it to), so taking its folder away makes it
  // impossible to open: the state of a database that is down.
  rmSync(dbFolder, { recursive: true, force: true });
  expect(await health()).toEqual({ status: 503, body: { status: "unavailable", database: "down" }, cache: "no-store" });

  mkdirSync(dbFolder);
  expect(await health()).toEqual({ status: 200, body: { status: "ok", database: "up" }, cache: "no-store" });
});
