// `npm start` on a fresh data folder: the database, its WAL files and the generated secret are its owner's
// alone. Another local user must not read the sessions table or the signing secret.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { registerUser } from "../support/client";
import { startServer, type TestServer } from "../support/server";

let parent: string;
let dataDir: string;
let server: TestServer;

beforeAll(async () => {
  parent = mkdtempSync(path.join(tmpdir(), "auth-data-folder-"));
  dataDir = path.join(parent, "fresh", "data"); // does not exist yet: npm start creates it
  // No AUTH_SECRET: the secret is generated into the data folder.
  server = await startServer({ DATABASE_URL: `file:${path.join(dataDir, "app.db")}`, AUTH_SECRET: "" });
});

afterAll(async () => {
  await server?.stop();
  rmSync(parent, { recursive: true, force: true });
});

// The sign-up's mail is written beside the database as `.<name>.partial`, then renamed: wait until it has
// landed, so the walk below neither races the rename nor misses the message's own mode.
async function sentMailLanded(): Promise<void> {
  const outbox = path.join(dataDir, "outbox");
  const deadline = Date.now() + 10_000;
  for (;;) {
    const names = existsSync(outbox) ? readdirSync(outbox) : [];
    if (names.some((name) => name.endsWith(".eml")) && !names.some((name) => name.endsWith(".partial"))) return;
    if (Date.now() > deadline) throw new Error(`the sign-up's mail did not land in ${outbox}: ${names.join(", ")}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function modes(folder: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const entry of readdirSync(folder, { recursive: true, encoding: "utf8" })) {
    found[entry] = (statSync(path.join(folder, entry)).mode & 0o777).toString(8);
  }
  return found;
}

test("every file of the data folder is 0600 and the folder 0700, after writes reached the WAL", async () => {
  await registerUser(server);
  await sentMailLanded();
  const found = modes(dataDir);
  expect(Object.keys(found)).toEqual(expect.arrayContaining(["app.db", "app.db-wal", "app.db-shm", "auth-secret", "outbox"]));
  expect(Object.keys(found).some((name) => name.startsWith("outbox/") && name.endsWith(".eml"))).toBe(true);
  for (const [name, mode] of Object.entries(found)) {
    expect({ name, mode }).toEqual({ name, mode: statSync(path.join(dataDir, name)).isDirectory() ? "700" : "600" });
  }
  expect((statSync(dataDir).mode & 0o777).toString(8)).toBe("700");
});
