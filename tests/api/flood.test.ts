// A login flood costs the flooder, not everyone else: 400 concurrent logins for 400 random emails, from
// many addresses and then from one (the server trusts its loopback proxy, so X-Forwarded-For names them),
// while a person reads /api/me, refreshes, and signs in from another address. The hashing queue is bounded
// by the wait it implies (503 with Retry-After past it, at once) in an order where addresses take turns,
// and a reservation is made before each hash. Figures: `npm run bench` (README, Performance).
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadAuthConfig } from "../../lib/auth/config";
import { Client, PASSWORD, uniqueEmail, type SignedIn } from "../support/client";
import { floodLogins, type FloodOutcome, type Timed } from "../support/flood";
import { startServer, type TestServer } from "../support/server";
import { accessClaims } from "../support/tokens";

const FLOOD = 400;
/** AUTH_IP_MAX_FAILURES as the server has it (the default): failures one address may have checked in a window. */
const IP_MAX_FAILURES = loadAuthConfig({}).ipMaxFailures;

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ AUTH_TRUSTED_PROXIES: "127.0.0.1", AUTH_HASH_MAX_WAIT: "10" }); // the default bound
});
afterAll(async () => {
  await server?.stop();
});

async function person(address: string): Promise<SignedIn & { address: string }> {
  const client = new Client(server.url, { "user-agent": "flood-test/person", "x-forwarded-for": address });
  const email = uniqueEmail("person");
  const user = await client.register(email, PASSWORD);
  return { client, email, password: PASSWORD, user, sessionId: accessClaims(client.accessToken).sid as string, address };
}

/** No 5xx but 503 with a Retry-After of whole seconds; nothing but what a login may answer. */
function expectNoServerErrors(responses: Timed[]): void {
  for (const response of responses) {
    expect([200, 401, 429, 503]).toContain(response.status);
    if (response.status === 503 || response.status === 429) expect(response.retryAfter).toMatch(/^[1-9]\d*$/);
  }
}

function expectPersonServed(outcome: FloodOutcome): void {
  expect(outcome.me.length).toBeGreaterThan(0);
  expect(outcome.me.map((response) => response.status)).toEqual(outcome.me.map(() => 200));
  expect(outcome.refresh.map((response) => response.status)).toEqual(outcome.refresh.map(() => 200));
}

describe(`${FLOOD} concurrent logins for random emails`, () => {
  test("from many addresses: the person's /api/me and refreshes all succeed; their login succeeds or gets 503 with Retry-After", async () => {
    const outcome = await floodLogins(server.url, await person("203.0.113.10"), {
      count: FLOOD,
      addressOf: (i) => `198.18.${i >> 8}.${i & 255}`,
    });
    expectNoServerErrors([...outcome.flood, outcome.login]);
    expect(outcome.flood.filter((response) => response.status === 401).length).toBeGreaterThan(0);
    expectPersonServed(outcome);
    expect([200, 503]).toContain(outcome.login.status);
  });

  test("from one address: no more are checked than the address's bound, the rest refused; the person signs in from theirs", async () => {
    const outcome = await floodLogins(server.url, await person("203.0.113.20"), { count: FLOOD, addressOf: () => "198.51.100.66" });
    expectNoServerErrors(outcome.flood);
    const statuses = outcome.flood.map((response) => response.status);
    // Each 401 is a password checked for the flooder: never more than AUTH_IP_MAX_FAILURES (a minute's worth).
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(IP_MAX_FAILURES);
    expect(statuses.filter((status) => status === 429 || status === 503).length).toBeGreaterThanOrEqual(FLOOD - IP_MAX_FAILURES);
    expectPersonServed(outcome);
    expect(outcome.login.status).toBe(200);
  });
});

test("the contract's 100 failed attempts a minute from one address, all sent at once, are each checked: 100 × 401", async () => {
  const client = new Client(server.url, { "x-forwarded-for": "192.0.2.100" });
  const attempts = Array.from({ length: 100 }, (_, i) => client.post("/api/auth/login", { email: uniqueEmail(`burst-${i}`), password: "a wrong password" }));
  const statuses = (await Promise.all(attempts)).map((response) => response.status);
  expect(statuses).toEqual(statuses.map(() => 401));
});
