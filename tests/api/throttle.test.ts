// Login throttling: failures 1..AUTH_LOGIN_MAX_FAILURES for one email get 401, then 429 too_many_attempts
// with Retry-After (even with the right password) until the oldest failure leaves AUTH_LOGIN_WINDOW.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Client, PASSWORD, expectError, registerUser, sleepUntil, uniqueEmail } from "../support/client";
import { startServer, type TestServer } from "../support/server";

let server: TestServer; // defaults: 5 failures within 900 s
let short: TestServer; // 2 failures within 2 s
beforeAll(async () => {
  [server, short] = await Promise.all([
    startServer(),
    startServer({ AUTH_LOGIN_MAX_FAILURES: "2", AUTH_LOGIN_WINDOW: "2" }),
  ]);
});
afterAll(async () => {
  await Promise.all([server?.stop(), short?.stop()]);
});

function login(target: TestServer, email: string, password: string) {
  return new Client(target.url).post("/api/auth/login", { email, password });
}

async function failTimes(target: TestServer, email: string, times: number): Promise<void> {
  for (let attempt = 1; attempt <= times; attempt++) {
    await expectError(await login(target, email, "wrong password"), 401, "invalid_credentials");
  }
}

async function expectThrottled(response: Response, maxRetryAfter: number): Promise<number> {
  const retryAfter = response.headers.get("retry-after");
  expect(response.headers.getSetCookie()).toEqual([]);
  await expectError(response, 429, "too_many_attempts");
  expect(retryAfter).toMatch(/^\d+$/);
  const seconds = Number(retryAfter);
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(maxRetryAfter);
  return seconds;
}

describe("with the defaults (5 failures within 900 s)", () => {
  test("failures 1 to 5 get 401 invalid_credentials and the 6th attempt gets 429 with Retry-After", async () => {
    const { email } = await registerUser(server);
    await failTimes(server, email, 5);
    await expectThrottled(await login(server, email, "wrong password"), 900);
  });

  test("once throttled, the right password is refused with 429 as well", async () => {
    const { email } = await registerUser(server);
    await failTimes(server, email, 5);
    await expectThrottled(await login(server, email, PASSWORD), 900);
    await expectThrottled(await login(server, email, PASSWORD), 900);
  });

  test("an email without an account is throttled the same way, so throttling reveals nothing", async () => {
    const email = uniqueEmail("nobody");
    await failTimes(server, email, 5);
    await expectThrottled(await login(server, email, "wrong password"), 900);
  });

  test("a successful login resets the count: five more failures are 401 before the next 429", async () => {
    const { email } = await registerUser(server);
    await failTimes(server, email, 4);
    expect((await login(server, email, PASSWORD)).status).toBe(200);
    await failTimes(server, email, 5);
    await expectThrottled(await login(server, email, PASSWORD), 900);
  });

  test("throttling one email leaves other emails alone", async () => {
    const throttled = await registerUser(server);
    const other = await registerUser(server);
    await failTimes(server, throttled.email, 5);
    await expectThrottled(await login(server, throttled.email, PASSWORD), 900);
    expect((await login(server, other.email, PASSWORD)).status).toBe(200);
  });

  test("20 concurrent wrong passwords for one email get exactly 5 answers of 401; the other 15 get 429", async () => {
    const { email } = await registerUser(server);
    const responses = await Promise.all(Array.from({ length: 20 }, () => login(server, email, "wrong password")));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([...Array(5).fill(401), ...Array(15).fill(429)]);
    await expectThrottled(await login(server, email, PASSWORD), 900);
  });

  // Last in this file: it spends most of the per-address allowance of this server.
  test("one address may make 100 failed attempts a minute (across 20 emails) without a 429", async () => {
    const emails = Array.from({ length: 20 }, () => uniqueEmail("spray"));
    const statuses: number[] = [];
    for (let round = 0; round < 5; round++) {
      const responses = await Promise.all(emails.map((email) => login(server, email, "wrong password")));
      statuses.push(...responses.map((response) => response.status));
    }
    expect(statuses).toHaveLength(100);
    expect(statuses.every((status) => status === 401)).toBe(true);
  });
});

describe("with AUTH_LOGIN_MAX_FAILURES=2 and AUTH_LOGIN_WINDOW=2", () => {
  test("429s do not count as failures: logins are answered again once the oldest failure is 2 s old", async () => {
    const { email } = await registerUser(short);
    await expectError(await login(short, email, "wrong password"), 401, "invalid_credentials");
    await expectError(await login(short, email, "wrong password"), 401, "invalid_credentials");

    const throttledAt = Date.now();
    const retryAfter = await expectThrottled(await login(short, email, PASSWORD), 2);
    // Keep knocking while throttled: refused attempts must not extend the wait.
    for (let attempt = 0; attempt < 5; attempt++) await expectThrottled(await login(short, email, "wrong password"), 2);

    // Retry-After is honest: waiting that long is enough.
    await sleepUntil(throttledAt + retryAfter * 1_000 + 200);
    expect((await login(short, email, PASSWORD)).status).toBe(200);
  });

  test("after the window the count starts over: two new failures before the next 429", async () => {
    const { email } = await registerUser(short);
    await expectError(await login(short, email, "wrong password"), 401, "invalid_credentials");
    await expectError(await login(short, email, "wrong password"), 401, "invalid_credentials");
    const throttledAt = Date.now();
    await expectThrottled(await login(short, email, "wrong password"), 2);
    await sleepUntil(throttledAt + 2_250);
    await expectError(await login(short, email, "wrong password"), 401, "invalid_credentials");
    await expectError(await login(short, email, "wrong password"), 401, "invalid_credentials");
    await expectThrottled(await login(short, email, "wrong password"), 2);
  });
});
