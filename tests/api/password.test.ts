// POST /api/auth/password {currentPassword, newPassword}: 204, every other session ends, this one stays.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  ACCESS_COOKIE,
  Client,
  PASSWORD,
  REFRESH_COOKIE,
  expectAccessEndsWithin,
  expectError,
  expectRefreshRefused,
  expectUnauthorized,
  loginUser,
  registerUser,
  responseCookie,
} from "../support/client";
import { startServer, type TestServer } from "../support/server";

const NEW_PASSWORD = "a brand new passphrase";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

const changePassword = (client: Client, body: unknown) => client.post("/api/auth/password", body);
const login = (email: string, password: string) =>
  new Client(server.url).post("/api/auth/login", { email, password });

describe("successful change", () => {
  test("answers 204 and the new password replaces the old one", async () => {
    const { client, email } = await registerUser(server);
    const response = await changePassword(client, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    expect((await login(email, NEW_PASSWORD)).status).toBe(200);
    await expectError(await login(email, PASSWORD), 401, "invalid_credentials");
  });

  test("every other session ends: its access token gets 401 within 1 s and its refresh refresh_revoked", async () => {
    const a = await registerUser(server);
    const b = await loginUser(server, a);
    const c = await loginUser(server, a);
    expect((await changePassword(a.client, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD })).status).toBe(204);
    for (const other of [b, c]) {
      await expectAccessEndsWithin(server, other.client.accessToken);
      await expectRefreshRefused(await other.client.post("/api/auth/refresh"), "refresh_revoked");
    }
  });

  test("this session stays signed in: cookies kept, /api/me answers, and it can still refresh", async () => {
    const a = await registerUser(server);
    await loginUser(server, a);
    const response = await changePassword(a.client, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(response.status).toBe(204);
    expect(responseCookie(response, ACCESS_COOKIE)?.maxAge).not.toBe(0);
    expect(responseCookie(response, REFRESH_COOKIE)?.maxAge).not.toBe(0);
    const me = await a.client.get("/api/me");
    expect(me.status).toBe(200);
    expect((await me.json()).session).toEqual({ id: a.sessionId });
    expect((await a.client.post("/api/auth/refresh")).status).toBe(200);
    const sessions = (await (await a.client.get("/api/auth/sessions")).json()).sessions as { id: string }[];
    expect(sessions.map((session) => session.id)).toEqual([a.sessionId]);
  });
});

describe("refused changes leave the password and the sessions as they were", () => {
  test("a wrong current password → 401 invalid_credentials", async () => {
    const a = await registerUser(server);
    const b = await loginUser(server, a);
    const response = await changePassword(a.client, { currentPassword: "not my password", newPassword: NEW_PASSWORD });
    await expectError(response, 401, "invalid_credentials");
    expect((await login(a.email, PASSWORD)).status).toBe(200);
    expect((await a.client.get("/api/me")).status).toBe(200);
    expect((await b.client.get("/api/me")).status).toBe(200);
  });

  test("guessing the current password counts with the account's login failures: 429 after 5, for the form and for login", async () => {
    const a = await registerUser(server);
    // Concurrent guesses, as a stolen session would send them: exactly 5 are checked.
    const guesses = await Promise.all(
      Array.from({ length: 12 }, (_, i) => changePassword(a.client, { currentPassword: `guess number ${i}`, newPassword: NEW_PASSWORD })),
    );
    expect(guesses.filter((response) => response.status === 401)).toHaveLength(5);
    expect(guesses.filter((response) => response.status === 429)).toHaveLength(7);
    for (const response of guesses) {
      if (response.status === 429) expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
      await response.body?.cancel();
    }
    const right = await changePassword(a.client, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(Number(right.headers.get("retry-after"))).toBeGreaterThan(800); // the window, not a moment
    await expectError(right, 429, "too_many_attempts");
    await expectError(await login(a.email, PASSWORD), 429, "too_many_attempts");
    const { events } = (await (await a.client.get("/api/auth/activity")).json()) as { events: { type: string }[] };
    expect(events.filter((event) => event.type === "sign_in_failed")).toHaveLength(5);
  });

  test.each([
    ["7 characters", "1234567"],
    ["129 code points", "🔑".repeat(129)],
    ["a common one (on the leaked-password list)", "Sunshine1"],
  ])("a new password of %s → 400 invalid_input", async (_label, newPassword) => {
    const { client, email } = await registerUser(server);
    await expectError(await changePassword(client, { currentPassword: PASSWORD, newPassword }), 400, "invalid_input");
    expect((await login(email, PASSWORD)).status).toBe(200);
  });

  test.each([
    ["a missing new password", { currentPassword: PASSWORD }],
    ["a missing current password", { newPassword: NEW_PASSWORD }],
    ["a number as new password", { currentPassword: PASSWORD, newPassword: 12345678 }],
    ["an empty current password", { currentPassword: "", newPassword: NEW_PASSWORD }],
  ])("%s → 400 invalid_input", async (_label, body) => {
    const { client } = await registerUser(server);
    await expectError(await changePassword(client, body), 400, "invalid_input");
  });

  test("without an access token → 401 unauthorized, and the password is unchanged", async () => {
    const { client, email } = await registerUser(server);
    client.removeCookie(ACCESS_COOKIE);
    await expectUnauthorized(await changePassword(client, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }), {
      tokenPresented: false,
    });
    expect((await login(email, PASSWORD)).status).toBe(200);
  });

  test("with the access token of an ended session → 401, and the password is unchanged", async () => {
    const { client, email } = await registerUser(server);
    const stale = client.clone();
    expect((await client.post("/api/auth/logout")).status).toBe(204);
    const response = await changePassword(stale, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    await expectUnauthorized(response, { tokenPresented: true });
    expect((await login(email, PASSWORD)).status).toBe(200);
  });
});
