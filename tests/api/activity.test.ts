// Security activity over HTTP: every kind of event is recorded with time, address and browser, shown to
// its owner only, never tied to an unknown email, and logged as JSON lines free of secrets.
import Database from "better-sqlite3";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { Client, jsonLogLines, PASSWORD, REFRESH_COOKIE } from "../support/client";
import { startServer, type TestServer } from "../support/server";

const LAPTOP = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";
const PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Safari/604.1";
const TABLET = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Safari/537.36";
const NEW_PASSWORD = "a different passphrase";

let server: TestServer;
beforeAll(async () => {
  // No grace: a second presentation of a refresh token is reuse at once.
  server = await startServer({ AUTH_REFRESH_REUSE_GRACE: "0" });
});
afterAll(async () => {
  await server?.stop();
});

interface Activity {
  type: string;
  createdAt: string;
  ip: string | null;
  userAgent: string | null;
}

async function activity(client: Client): Promise<Activity[]> {
  const response = await client.request("/api/auth/activity");
  expect(response.status).toBe(200);
  return ((await response.json()) as { events: Activity[] }).events;
}

const secretsSeen: string[] = [PASSWORD, NEW_PASSWORD];
function remember(...values: (string | undefined)[]): void {
  for (const value of values) if (value) secretsSeen.push(value);
}

test("GET /api/auth/activity lists every kind of security event of the caller, newest first", async () => {
  const email = "activity@example.com";
  const laptop = new Client(server.url, LAPTOP);
  await laptop.register(email);
  remember(laptop.accessToken, laptop.refreshToken);

  const phone = new Client(server.url, PHONE);
  expect((await phone.login(email, "not the password")).status).toBe(401);
  expect((await phone.login(email)).status).toBe(200);
  const spent = phone.refreshToken;
  expect((await phone.post("/api/auth/refresh")).status).toBe(200);
  remember(spent, phone.refreshToken, phone.accessToken);

  // Someone else presents the phone's spent refresh token.
  const thief = new Client(server.url, "curl/8.5.0");
  thief.setCookie(REFRESH_COOKIE, spent!);
  const reused = await thief.post("/api/auth/refresh");
  expect(reused.status).toBe(403);
  expect(((await reused.json()) as { error: string }).error).toBe("refresh_reused");

  const tablet = new Client(server.url, TABLET);
  expect((await tablet.login(email)).status).toBe(200);
  const tabletSession = ((await (await tablet.request("/api/me")).json()) as { session: { id: string } }).session.id;
  expect((await laptop.request(`/api/auth/sessions/${tabletSession}`, { method: "DELETE" })).status).toBe(204);
  expect((await laptop.post("/api/auth/password", { currentPassword: PASSWORD, newPassword: NEW_PASSWORD })).status).toBe(204);
  expect((await laptop.post("/api/auth/logout-all")).status).toBe(204);
  expect((await laptop.login(email, NEW_PASSWORD)).status).toBe(200);

  const events = await activity(laptop);
  expect(events.map((event) => [event.type, event.userAgent])).toEqual([
    ["sign_in", LAPTOP],
    ["logout_all", LAPTOP],
    ["password_changed", LAPTOP],
    ["device_revoked", LAPTOP],
    ["new_device", TABLET],
    ["sign_in", TABLET],
    ["refresh_reused", "curl/8.5.0"],
    ["new_device", PHONE],
    ["sign_in", PHONE],
    ["sign_in_failed", PHONE],
    ["account_created", LAPTOP],
  ]);
  for (const event of events) {
    expect(event.ip).toBe("127.0.0.1");
    expect(Date.parse(event.createdAt)).toBeGreaterThan(Date.now() - 60_000);
  }
  const times = events.map((event) => Date.parse(event.createdAt));
  expect([...times].sort((a, b) => b - a)).toEqual(times);
});

test("activity needs a valid access token and shows nobody else's events", async () => {
  expect((await fetch(`${server.url}/api/auth/activity`)).status).toBe(401);
  const other = new Client(server.url, PHONE);
  await other.register("someone-else@example.com");
  expect((await activity(other)).map((event) => event.type)).toEqual(["account_created"]);
});

test("a failed sign-in for an unknown email creates no event, and no event holds a secret", async () => {
  const stranger = new Client(server.url, "curl/8.5.0");
  expect((await stranger.login("nobody-here@example.com", "some password")).status).toBe(401);

  const db = new Database(path.join(server.dataDir, "app.db"), { readonly: true });
  try {
    const rows = db.prepare(`SELECT e.*, u.email FROM SecurityEvent e LEFT JOIN User u ON u.id = e.userId`).all() as Record<string, unknown>[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((row) => row.email === null)).toEqual([]); // every event belongs to an existing user
    expect(rows.some((row) => row.email === "nobody-here@example.com")).toBe(false);
    const hashes = (db.prepare(`SELECT passwordHash FROM User`).all() as { passwordHash: string }[]).map((row) => row.passwordHash);
    const stored = JSON.stringify(rows);
    for (const secret of [...secretsSeen, ...hashes]) expect(stored).not.toContain(secret);
  } finally {
    db.close();
  }
});

test("auth events are logged as one JSON line each, without tokens, passwords or hashes", async () => {
  const output = server.output();
  const lines = jsonLogLines(output);
  const events = lines.map((line) => line.event);
  for (const event of ["auth.account_created", "auth.sign_in", "auth.sign_in_failed", "auth.sign_in_failed_unknown_user", "auth.refresh_reused", "auth.token_refreshed", "auth.logout_all", "auth.password_changed", "auth.device_revoked"]) {
    expect(events).toContain(event);
  }
  const reuse = lines.find((line) => line.event === "auth.refresh_reused");
  expect(reuse).toMatchObject({ level: "warn", ip: "127.0.0.1", userAgent: "curl/8.5.0", userId: expect.any(String) });
  expect(Date.parse(String(reuse?.time))).not.toBeNaN();
  for (const secret of secretsSeen) expect(output).not.toContain(secret);
  expect(output).not.toContain("$argon2");
  expect(output).not.toContain("activity@example.com");
});
