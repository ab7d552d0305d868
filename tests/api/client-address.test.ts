// Whose address a request is, and which forwarded headers count. With no AUTH_TRUSTED_PROXIES the address
// is the TCP peer's (our server records it, scripts/serve.mjs) and a client's X-Forwarded-For,
// X-Forwarded-Host and X-Forwarded-Proto change nothing; behind a trusted proxy they are believed.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Client, PASSWORD, expectError, registerUser, uniqueEmail } from "../support/client";
import { startServer, type TestServer } from "../support/server";

const REFRESH_LIMIT = 5;
let direct: TestServer; // no trusted proxy
let behindOne: TestServer; // AUTH_TRUSTED_PROXIES=1: one proxy in front
let behindLoopback: TestServer; // AUTH_TRUSTED_PROXIES=127.0.0.1
beforeAll(async () => {
  const bounds = { AUTH_REFRESH_RATE_LIMIT: String(REFRESH_LIMIT), AUTH_IP_MAX_FAILURES: "100" };
  [direct, behindOne, behindLoopback] = await Promise.all([
    startServer(bounds),
    startServer({ ...bounds, AUTH_TRUSTED_PROXIES: "1" }),
    startServer({ ...bounds, AUTH_TRUSTED_PROXIES: "127.0.0.1" }),
  ]);
});
afterAll(async () => {
  await Promise.all([direct?.stop(), behindOne?.stop(), behindLoopback?.stop()]);
});

const accounts = new Map<TestServer, { email: string; password: string }>();

/** Signs an account of `server` in with these headers; returns the address its new session and sign-in event show. */
async function addressSeen(server: TestServer, headers: Record<string, string>): Promise<{ session: unknown; activity: unknown }> {
  let account = accounts.get(server);
  if (!account) {
    const registered = await registerUser(server);
    account = { email: registered.email, password: registered.password };
    accounts.set(server, account);
  }
  const client = new Client(server.url);
  const response = await client.post("/api/auth/login", account, { headers });
  expect(response.status, await response.clone().text()).toBe(200);
  const { sessions } = (await (await client.get("/api/auth/sessions")).json()) as { sessions: { ip: unknown; current: boolean }[] };
  const { events } = (await (await client.get("/api/auth/activity")).json()) as { events: { ip: unknown }[] };
  return { session: sessions.find((session) => session.current)?.ip, activity: events[0]?.ip };
}

/** `count` refresh requests (each counted by the per-address refresh bound), each with its own headers. */
async function refreshes(server: TestServer, headers: (i: number) => Record<string, string>, count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) {
    statuses.push((await new Client(server.url).post("/api/auth/refresh", undefined, { headers: headers(i) })).status);
  }
  return statuses;
}

describe("no trusted proxy: the address is the TCP peer's", () => {
  test("X-Forwarded-For: 6.6.6.6 appears neither in the sessions list nor in the activity", async () => {
    expect(await addressSeen(direct, { "x-forwarded-for": "6.6.6.6" })).toEqual({ session: "127.0.0.1", activity: "127.0.0.1" });
  });

  test("whatever X-Forwarded-For a client sends (generated), the address stays the peer's", async () => {
    const entry = fc.oneof(
      fc.ipV4(),
      fc.ipV6(),
      fc.constantFrom("", " ", "unknown", "::ffff:6.6.6.6", "127.0.0.1", "<script>", "6.6.6.6:80", "for=6.6.6.6"),
      fc.string({ maxLength: 20 }).filter((text) => !/[\r\n\0]/.test(text)),
    );
    const header = fc
      .tuple(fc.array(entry, { minLength: 1, maxLength: 5 }), fc.constantFrom(",", ", ", " , "))
      .map(([entries, separator]) => entries.join(separator));
    await fc.assert(
      fc.asyncProperty(header, async (forwardedFor) => {
        expect(await addressSeen(direct, { "x-forwarded-for": forwardedFor })).toEqual({ session: "127.0.0.1", activity: "127.0.0.1" });
      }),
      { numRuns: 25 },
    );
  });

  test("a new X-Forwarded-For on every request does not dodge the per-address bound", async () => {
    const statuses = await refreshes(direct, (i) => ({ "x-forwarded-for": `6.6.${i}.${i}` }), REFRESH_LIMIT + 1);
    expect(statuses).toEqual([...Array(REFRESH_LIMIT).fill(403), 429]); // refresh_missing until the bound
    await expectError(await new Client(direct.url).post("/api/auth/refresh", undefined, { headers: { "x-forwarded-for": "6.7.8.9" } }), 429, "too_many_attempts");
  });
});

describe("the refresh hop over the bound (a browser navigated there)", () => {
  test("answers 429 as a page with the message and a link to try again; POST keeps the JSON", async () => {
    await refreshes(direct, () => ({}), REFRESH_LIMIT + 1); // this address is over its bound now
    const page = await fetch(`${direct.url}/api/auth/refresh?next=%2Fdashboard%3Ftab%3Ddevices`, { redirect: "manual" });
    expect(page.status).toBe(429);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(Number(page.headers.get("retry-after"))).toBeGreaterThan(0);
    const html = await page.text();
    expect(html).toContain("Too many requests from your address. Please wait and try again.");
    expect(html).toContain(`href="/api/auth/refresh?next=${encodeURIComponent("/dashboard?tab=devices")}"`);
    expect(html).not.toContain('"error"');
    await expectError(await new Client(direct.url).post("/api/auth/refresh"), 429, "too_many_attempts");
  });
});

describe("AUTH_TRUSTED_PROXIES: the first hop from the right that is not a trusted proxy", () => {
  test("a hop count of 1 believes the nearest proxy's entry", async () => {
    expect(await addressSeen(behindOne, { "x-forwarded-for": "6.6.6.6" })).toEqual({ session: "6.6.6.6", activity: "6.6.6.6" });
    // What a client wrote before our proxy appended its address does not count.
    expect((await addressSeen(behindOne, { "x-forwarded-for": "1.2.3.4, 6.6.6.7" })).session).toBe("6.6.6.7");
  });

  test("a list of addresses skips every trusted hop", async () => {
    expect((await addressSeen(behindLoopback, { "x-forwarded-for": "6.6.6.8" })).session).toBe("6.6.6.8");
    expect((await addressSeen(behindLoopback, { "x-forwarded-for": "6.6.6.9, 127.0.0.1" })).session).toBe("6.6.6.9");
  });

  test("each client behind the proxy has its own bound", async () => {
    const statuses = await refreshes(behindLoopback, (i) => ({ "x-forwarded-for": `7.7.${i}.${i}` }), REFRESH_LIMIT + 1);
    expect(statuses).toEqual(Array(REFRESH_LIMIT + 1).fill(403));
  });
});

describe("no address fails closed: one shared key, never a skipped bound", () => {
  test.each([
    ["X-Forwarded-For: , (no entry: the proxy's own address)", () => ","],
    ["X-Forwarded-For that is not an address", (i: number) => `not-an-address-${i}`],
  ])("%s", async (_label, forwardedFor) => {
    const statuses = await refreshes(behindOne, (i) => ({ "x-forwarded-for": forwardedFor(i) }), REFRESH_LIMIT + 1);
    expect(statuses.at(-1)).toBe(429);
  });

  // 101 password hashes (the bound's least is 100): seconds on an idle machine, longer on a loaded one.
  test("failed logins without an address count under the shared key too", { timeout: 240_000 }, async () => {
    // Every attempt for another email, so only the per-address bound can refuse.
    const attempt = (i: number) =>
      new Client(behindLoopback.url).post(
        "/api/auth/login",
        { email: uniqueEmail("spray"), password: "wrong password" },
        { headers: { "x-forwarded-for": `garbage-${i}` } },
      );
    const statuses: number[] = [];
    for (let batch = 0; batch < 11; batch++) {
      statuses.push(...(await Promise.all(Array.from({ length: 10 }, (_, i) => attempt(batch * 10 + i)))).map((r) => r.status));
    }
    expect(statuses.slice(0, 100)).toEqual(Array(100).fill(401));
    const afterward = await attempt(999);
    await expectError(afterward, 429, "too_many_attempts");
  });
});

describe("forwarded host and protocol count only from a trusted proxy", () => {
  // Hosts named localhost, so the cookies keep their plain names and the visitor stays signed in.
  const spoof = { host: "localhost:4444", "x-forwarded-host": "localhost:5555", "x-forwarded-for": "5.5.5.5" };

  test("without a trusted proxy, a client's X-Forwarded-Host does not make its Origin ours", async () => {
    const response = await new Client(direct.url).post(
      "/api/auth/register",
      { email: uniqueEmail(), password: PASSWORD },
      { headers: { "x-forwarded-host": "evil.example", origin: "http://evil.example" } },
    );
    await expectError(response, 403, "csrf_rejected");
  });

  test("behind a trusted proxy, its X-Forwarded-Host names the public host", async () => {
    const response = await new Client(behindOne.url).post(
      "/api/auth/register",
      { email: uniqueEmail(), password: PASSWORD },
      { headers: { "x-forwarded-host": "app.example", origin: "http://app.example" } },
    );
    expect(response.status).toBe(201);
  });

  test("an Origin of APP_URL is ours even when the request reached us at another host name", async () => {
    const appUrl = `http://localhost:${direct.port}`; // the default APP_URL
    const response = await new Client(direct.url).post("/api/auth/register", { email: uniqueEmail(), password: PASSWORD }, { headers: { origin: appUrl } });
    expect(response.status).toBe(201);
  });

  test("redirects carry a path only, whatever Host and X-Forwarded-Host say", async () => {
    for (const server of [direct, behindOne]) {
      const { client } = await registerUser(server);
      const login = await client.get("/login", { headers: spoof });
      expect(login.status).toBe(307);
      expect(login.headers.get("location")).toBe("/dashboard");
    }
    const { client } = await registerUser(behindOne);
    const hop = await client.get("/api/auth/refresh?next=%2Fdashboard", { headers: spoof });
    expect(hop.status).toBe(303);
    expect(hop.headers.get("location")).toBe("/dashboard");
  });

  test("a client's X-Forwarded-Proto: https does not decide the cookies; a trusted proxy's does", async () => {
    const names = async (server: TestServer) => {
      const response = await new Client(server.url).post(
        "/api/auth/register",
        { email: uniqueEmail(), password: PASSWORD },
        { headers: { "x-forwarded-proto": "https" } },
      );
      expect(response.status).toBe(201);
      return response.headers.getSetCookie().map((line) => line.split("=")[0]);
    };
    expect(await names(direct)).toEqual(expect.arrayContaining(["access_token", "refresh_token"]));
    expect(await names(behindOne)).toEqual(expect.arrayContaining(["__Host-access_token", "__Secure-refresh_token"]));
  });
});
