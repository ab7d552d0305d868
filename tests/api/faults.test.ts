// Database faults: a locked SQLite file answers 503 `service_unavailable` with Retry-After (never a 500; the
// refresh hop, where a browser navigated, as a page), the app recovers by itself when the lock goes, and a
// process killed in the middle of rotations leaves the session alive with a single chain of refresh tokens.
import Database from "better-sqlite3";
import path from "node:path";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { startServer, type TestServer } from "../support/server";
import { Client, expectError, registerUser, REFRESH_COOKIE } from "../support/client";

let server: TestServer;
let locker: Database.Database | undefined;

beforeAll(async () => {
  server = await startServer();
});
afterEach(() => {
  if (locker?.inTransaction) locker.exec("ROLLBACK");
  locker?.close();
  locker = undefined;
});
afterAll(async () => {
  await server?.stop();
});

function lockDatabase(dataDir: string): Database.Database {
  const connection = new Database(path.join(dataDir, "app.db"));
  connection.exec("BEGIN EXCLUSIVE"); // no other writer gets in until ROLLBACK
  return connection;
}

test("with the SQLite file locked, writes answer 503 service_unavailable with Retry-After and recover after", async () => {
  const account = await registerUser(server);
  locker = lockDatabase(server.dataDir);

  const login = await new Client(server.url).post("/api/auth/login", { email: account.email, password: account.password });
  await expectError(login, 503, "service_unavailable");
  expect(Number(login.headers.get("retry-after"))).toBeGreaterThan(0);

  const refresh = await account.client.post("/api/auth/refresh");
  await expectError(refresh, 503, "service_unavailable");
  expect(account.client.cookie(REFRESH_COOKIE), "a 503 does not clear the session's cookies").toBeDefined();

  // The refresh hop is where a browser navigated: a page with the message and a way back, not raw JSON.
  const hop = await account.client.get("/api/auth/refresh?next=%2Fdashboard");
  expect(hop.status).toBe(503);
  expect(hop.headers.get("content-type")).toMatch(/^text\/html/);
  expect(Number(hop.headers.get("retry-after"))).toBeGreaterThan(0);
  const page = await hop.text();
  expect(page).toContain("The service is briefly unavailable. Please try again.");
  expect(page).toContain(`href="/api/auth/refresh?next=${encodeURIComponent("/dashboard")}"`);
  expect(page).not.toContain('"error"');
  expect(account.client.cookie(REFRESH_COOKIE), "the hop's 503 does not clear the session's cookies either").toBeDefined();

  // Reads go on under SQLite's write-ahead log: the signed-in person is still recognised.
  expect((await account.client.get("/api/me")).status).toBe(200);

  locker.exec("ROLLBACK");
  const released = Date.now();
  const again = await new Client(server.url).post("/api/auth/login", { email: account.email, password: account.password });
  expect(again.status).toBe(200);
  expect((await account.client.post("/api/auth/refresh")).status).toBe(200);
  console.log(`SQLite lock: 503 while locked; first success ${Date.now() - released} ms after release`);
});

test("a server killed in the middle of concurrent refreshes leaves one chain and the session alive", async () => {
  const victim = await startServer();
  try {
    const account = await registerUser(victim);
    const token = account.client.cookie(REFRESH_COOKIE)!;
    let firstAnswer: () => void = () => undefined;
    const answered = new Promise<void>((resolve) => (firstAnswer = resolve));
    const attempts = Array.from({ length: 40 }, () =>
      fetch(`${victim.url}/api/auth/refresh`, { method: "POST", headers: { cookie: `${REFRESH_COOKIE}=${token}` } }).then(
        (response) => {
          firstAnswer();
          return response.status;
        },
        () => "aborted" as const,
      ),
    );
    // Kill as soon as one rotation has committed, while the others are still in flight.
    await Promise.race([answered, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    await victim.kill();
    const statuses = await Promise.all(attempts);
    expect(statuses.every((status) => status === 200 || status === "aborted")).toBe(true);

    const db = new Database(path.join(victim.dataDir, "app.db"), { readonly: true });
    const forks = db.prepare(`SELECT replacesId FROM RefreshToken WHERE replacesId IS NOT NULL GROUP BY replacesId HAVING count(*) > 1`).all();
    const live = db.prepare(`SELECT count(*) AS n FROM RefreshToken WHERE spentAt IS NULL`).get() as { n: number };
    const session = db.prepare(`SELECT revokedAt FROM Session`).get() as { revokedAt: unknown };
    db.close();
    expect(forks).toEqual([]);
    expect(live.n).toBe(1);
    expect(session.revokedAt).toBeNull();

    // Restarted on the same data, the last token the browser holds still works (rotated, or replayed
    // within the grace period if the rotation had committed before the kill).
    const restarted = await startServer({}, { dataDir: victim.dataDir });
    try {
      const resumed = await fetch(`${restarted.url}/api/auth/refresh`, { method: "POST", headers: { cookie: `${REFRESH_COOKIE}=${token}` } });
      expect(resumed.status).toBe(200);
      console.log(`kill mid-rotation: ${statuses.filter((s) => s === 200).length} of 40 answered before the kill; session resumed`);
    } finally {
      await restarted.kill();
    }
  } finally {
    await victim.stop();
  }
});
