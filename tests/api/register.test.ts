// POST /api/auth/register: 201 and signed in; 400 invalid_input, 409 email_taken, 403 signup_disabled.
import { dictionary } from "@zxcvbn-ts/language-common";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  Client,
  PASSWORD,
  expectError,
  expectNoStore,
  expectSessionCookieFlags,
  registerUser,
  uniqueEmail,
} from "../support/client";
import { startServer, type TestServer } from "../support/server";

let server: TestServer;
let closed: TestServer;
beforeAll(async () => {
  [server, closed] = await Promise.all([startServer(), startServer({ AUTH_ALLOW_SIGNUP: "false" })]);
});
afterAll(async () => {
  await Promise.all([server?.stop(), closed?.stop()]);
});

function register(body: unknown, target: TestServer = server) {
  return new Client(target.url).post("/api/auth/register", body);
}

describe("successful registration", () => {
  test("answers 201 with {user:{id,email}}, sets both cookies, is not cacheable, and signs the account in", async () => {
    const email = uniqueEmail("new");
    const client = new Client(server.url);
    const response = await client.post("/api/auth/register", { email, password: PASSWORD });

    expect(response.status).toBe(201);
    expectNoStore(response);
    const body = await response.json();
    expect(body.user).toEqual({ id: expect.any(String), email });
    expect(body.user.id.length).toBeGreaterThan(0);
    expectSessionCookieFlags(response, 900);

    const me = await client.get("/api/me");
    expect(me.status).toBe(200);
    expect((await me.json()).user).toEqual({ ...body.user, emailVerified: false });
  });

  test("accepts a password of exactly 8 characters and one of 128 code points (256 UTF-16 units)", async () => {
    expect((await register({ email: uniqueEmail(), password: "k3y-8chr" })).status).toBe(201);
    expect((await register({ email: uniqueEmail(), password: "🔑".repeat(128) })).status).toBe(201);
  });

  test("stores the email trimmed and lower-cased, and the person can sign in with it", async () => {
    const local = uniqueEmail("Mixed").split("@")[0]!;
    const response = await register({ email: `  ${local.toUpperCase()}@Example.TEST `, password: PASSWORD });
    expect(response.status).toBe(201);
    expect((await response.json()).user.email).toBe(`${local.toLowerCase()}@example.test`);
    const login = await new Client(server.url).post("/api/auth/login", {
      email: `${local.toLowerCase()}@example.test`,
      password: PASSWORD,
    });
    expect(login.status).toBe(200);
  });
});

describe("409 email_taken", () => {
  test("a second registration with the same email is refused without signing anyone in", async () => {
    const { email } = await registerUser(server);
    const response = await register({ email, password: "another password" });
    expect(response.headers.getSetCookie()).toEqual([]);
    await expectError(response, 409, "email_taken");
  });

  test("the same email in another letter case counts as taken", async () => {
    const { email } = await registerUser(server);
    await expectError(await register({ email: email.toUpperCase(), password: PASSWORD }), 409, "email_taken");
  });

  test("the original account keeps its password after a refused duplicate", async () => {
    const { email } = await registerUser(server);
    await register({ email, password: "attacker password" });
    const login = await new Client(server.url).post("/api/auth/login", { email, password: PASSWORD });
    expect(login.status).toBe(200);
  });
});

describe("400 invalid_input", () => {
  test.each([
    ["no at sign", "plainaddress.example.test"],
    ["nothing before the at sign", "@example.test"],
    ["nothing after the at sign", "someone@"],
    ["two at signs", "some@one@example.test"],
    ["a space inside", "some one@example.test"],
    ["an empty string", ""],
    ["255 characters", `${"a".repeat(64)}@${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(57)}.test`],
  ])("a malformed email (%s) is refused", async (_label, email) => {
    const response = await register({ email, password: PASSWORD });
    expect(response.headers.getSetCookie()).toEqual([]);
    await expectError(response, 400, "invalid_input");
  });

  test.each([
    ["7 characters", "1234567"],
    ["7 code points that are 14 UTF-16 units", "🔑".repeat(7)],
    ["empty", ""],
    ["129 characters", "p".repeat(129)],
    ["129 code points", "🔑".repeat(129)],
  ])("a password of %s is refused", async (_label, password) => {
    await expectError(await register({ email: uniqueEmail(), password }), 400, "invalid_input");
  });

  test("a common or leaked password, in any letter case, is refused with a message that says why", async () => {
    // A sample of the list the server ships with, as a guesser would try it.
    const common = dictionary["passwords-common"].filter((entry) => entry.length >= 8);
    const samples = ["password", "iloveyou", "PassWord1", "QWERTYUIOP", ...fc.sample(fc.constantFrom(...common), 12)];
    for (const password of samples) {
      const email = uniqueEmail();
      const response = await register({ email, password });
      expect(response.status, password).toBe(400);
      expect(await response.json()).toEqual({ error: "invalid_input", message: expect.stringMatching(/too common/) });
      expect((await new Client(server.url).post("/api/auth/login", { email, password })).status).toBe(401);
    }
  });

  test("a refused registration creates no account: the email can be registered afterwards", async () => {
    const email = uniqueEmail();
    await expectError(await register({ email, password: "short" }), 400, "invalid_input");
    expect((await register({ email, password: PASSWORD })).status).toBe(201);
  });
});

describe("403 signup_disabled (AUTH_ALLOW_SIGNUP=false)", () => {
  test("a valid registration is refused and sets no cookies", async () => {
    const response = await register({ email: uniqueEmail(), password: PASSWORD }, closed);
    expect(response.headers.getSetCookie()).toEqual([]);
    await expectError(response, 403, "signup_disabled");
  });

  test("the refused email has no account: logging in with it fails", async () => {
    const email = uniqueEmail();
    await register({ email, password: PASSWORD }, closed);
    const login = await new Client(closed.url).post("/api/auth/login", { email, password: PASSWORD });
    await expectError(login, 401, "invalid_credentials");
  });
});
