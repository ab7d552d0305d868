// `npm run admin` against real temporary databases: each command spawned as a person would run it, and
// its effect checked through the running app where there is one.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Client, PASSWORD } from "../support/client";
import { runAdmin, type AdminRun } from "../support/admin-command";
import { startServer, type TestServer } from "../support/server";

const root = path.resolve(__dirname, "..", "..");
const NEW_PASSWORD = "a reset passphrase";

const dir = mkdtempSync(path.join(tmpdir(), "auth-admin-"));
const DATABASE_URL = `file:${path.join(dir, "app.db")}`;

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the admin script directly (what `npm run admin --` runs), on this file's database unless told. */
function admin(args: string[], options: { input?: string; databaseUrl?: string; cwd?: string } = {}): Promise<AdminRun> {
  return runAdmin(args, { ...options, databaseUrl: options.databaseUrl ?? DATABASE_URL });
}

describe("usage", () => {
  test("help explains every command and exits 0; no command or a wrong one exits 2", async () => {
    const help = await admin(["help"]);
    expect(help.status).toBe(0);
    for (const command of ["add-user", "list-users", "reset-password", "end-sessions", "cleanup", "Exit codes"]) {
      expect(help.stdout).toContain(command);
    }
    const none = await admin([]);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain("Usage: npm run admin");
    const wrong = await admin(["delete-everything"]);
    expect(wrong).toMatchObject({ status: 2, stderr: expect.stringContaining('Unknown command "delete-everything"') });
    expect(await admin(["add-user"])).toMatchObject({ status: 2, stderr: expect.stringContaining("add-user <email>") });
    expect(await admin(["add-user", "ann@example.com"], { input: "" })).toMatchObject({
      status: 2,
      stderr: expect.stringContaining("standard input"),
    });
  });

  test("runs through npm: `npm run admin -- help`", async () => {
    const result = spawnSync("npm", ["run", "--silent", "admin", "--", "help"], { cwd: root, encoding: "utf8", timeout: 30_000 });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("Usage: npm run admin -- <command>");
  });

  test("resolves a relative DATABASE_URL against the project folder, as the app does", async () => {
    const name = `admin-test-${randomUUID()}.db`;
    const file = path.join(root, "data", name);
    try {
      const result = await admin(["list-users"], { databaseUrl: `file:./data/${name}`, cwd: tmpdir() });
      expect(result).toMatchObject({ status: 0, stdout: "No accounts yet.\n" });
      expect(existsSync(file)).toBe(true);
      expect(existsSync(path.join(tmpdir(), "data", name))).toBe(false);
    } finally {
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
    }
  });
});

describe("accounts", () => {
  let server: TestServer;
  beforeAll(async () => {
    // Sign-up is off: accounts come from the admin command only.
    server = await startServer({ DATABASE_URL, AUTH_ALLOW_SIGNUP: "false" });
  });
  afterAll(async () => {
    await server?.stop();
  });

  test("add-user creates an account that can sign in, and refuses a taken email or a short password", async () => {
    const created = await admin(["add-user", "Ann@Example.com"], { input: `${PASSWORD}\n` });
    expect(created).toMatchObject({ status: 0, stdout: expect.stringMatching(/^Created ann@example\.com \(id [0-9a-f-]{36}\)\.\n$/) });
    expect(await admin(["add-user", "ann@example.com"], { input: `${PASSWORD}\n` })).toMatchObject({
      status: 1,
      stderr: "An account with this email already exists.\n",
    });
    expect(await admin(["add-user", "bob@example.com"], { input: "short\n" })).toMatchObject({
      status: 1,
      stderr: "Password must be at least 8 characters.\n",
    });
    expect(await admin(["add-user", "not-an-email"], { input: `${PASSWORD}\n` })).toMatchObject({
      status: 1,
      stderr: "Enter a valid email address.\n",
    });

    const ann = new Client(server.url);
    expect((await ann.login("ann@example.com")).status).toBe(200);
  });

  test("list-users shows each account with its live sessions, as text or JSON", async () => {
    const text = await admin(["list-users"]);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^ann@example\.com\t[0-9a-f-]{36}\tcreated \S+\t1 session\n$/);
    const json = JSON.parse((await admin(["list-users", "--json"])).stdout) as unknown;
    expect(json).toEqual([{ id: expect.any(String), email: "ann@example.com", createdAt: expect.any(String), liveSessions: 1 }]);
    expect((await admin(["list-users", "--yaml"])).status).toBe(2);
  });

  test("end-sessions signs the account out everywhere", async () => {
    const phone = new Client(server.url);
    expect((await phone.login("ann@example.com")).status).toBe(200);
    expect((await phone.request("/api/me")).status).toBe(200);

    expect(await admin(["end-sessions", "ann@example.com"])).toMatchObject({ status: 0, stdout: "2 sessions of ann@example.com ended.\n" });
    await new Promise((resolve) => setTimeout(resolve, 600)); // another process's revocation: seen within 500 ms
    expect((await phone.request("/api/me")).status).toBe(401);
    expect(((await (await phone.post("/api/auth/refresh")).json()) as { error: string }).error).toBe("refresh_revoked");
    expect(await admin(["end-sessions", "nobody@example.com"])).toMatchObject({
      status: 1,
      stderr: "No account has the email nobody@example.com.\n",
    });
  });

  test("reset-password sets a new password, ends every session, and both show in the person's activity", async () => {
    const laptop = new Client(server.url);
    expect((await laptop.login("ann@example.com")).status).toBe(200);
    expect(await admin(["reset-password", "ann@example.com"], { input: `${NEW_PASSWORD}\r\n` })).toMatchObject({
      status: 0,
      stdout: "Password of ann@example.com changed; 1 session ended.\n",
    });
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect((await laptop.request("/api/me")).status).toBe(401);
    expect((await laptop.login("ann@example.com", PASSWORD)).status).toBe(401);
    expect((await laptop.login("ann@example.com", NEW_PASSWORD)).status).toBe(200);

    const events = ((await (await laptop.request("/api/auth/activity")).json()) as { events: { type: string }[] }).events;
    expect(events.slice(0, 6).map((event) => event.type)).toEqual([
      "sign_in",
      "sign_in_failed", // the old password, just above
      "password_reset",
      "new_device", // this test's client is a browser the account had not used (its device cookie is new)
      "sign_in",
      "sessions_ended",
    ]);
    expect((await admin(["reset-password", "ann@example.com"], { input: "tiny\n" })).status).toBe(1);
  });

  test("end-all-sessions signs every account out on every device", async () => {
    expect((await admin(["add-user", "bob@example.com"], { input: `${PASSWORD}\n` })).status).toBe(0);
    const devices = [new Client(server.url), new Client(server.url), new Client(server.url)];
    expect((await devices[0]!.login("ann@example.com", NEW_PASSWORD)).status).toBe(200);
    expect((await devices[1]!.login("ann@example.com", NEW_PASSWORD)).status).toBe(200);
    expect((await devices[2]!.login("bob@example.com", PASSWORD)).status).toBe(200);

    const result = await admin(["end-all-sessions"]);
    expect(result).toMatchObject({ status: 0, stdout: expect.stringMatching(/^\d+ sessions ended: every account is signed out on every device\.\n$/) });
    expect(Number(result.stdout.split(" ")[0])).toBeGreaterThanOrEqual(devices.length);
    await new Promise((resolve) => setTimeout(resolve, 600)); // another process's revocation: seen within 500 ms
    for (const device of devices) {
      expect((await device.request("/api/me")).status).toBe(401);
      expect(((await (await device.post("/api/auth/refresh")).json()) as { error: string }).error).toBe("refresh_revoked");
    }
  });

  test("cleanup reports what it removed", async () => {
    const result = await admin(["cleanup"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Removed \d+ ended sessions?, \d+ refresh tokens?, \d+ old login failures? and \d+ old activity entr(y|ies)\.\n$/);
  });
});
