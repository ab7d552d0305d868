// Single sign-on against a provider that misbehaves on purpose (tests/support/scripted-oidc-provider.ts, a
// real HTTP server): outages and slowness at discovery, token and JWKS time must end in a clear message
// within the bounded timeout, never a 500 or a hang; forged ID tokens (wrong aud, iss, nonce, expired,
// signed by a key outside the JWKS) must sign nobody in.
//
// The order matters and is kept: discovery and the JWKS are cached per process once fetched, so their
// outages come first, while nothing is cached yet.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { Client, uniqueEmail } from "../support/client";
import { expectSsoRefused } from "../support/oidc-assertions";
import { ScriptedOidcProvider, SCRIPTED_CLIENT_ID } from "../support/scripted-oidc-provider";
import { freePort, startServer, type TestServer } from "../support/server";

const TIMEOUT_SECONDS = 1;

let provider: ScriptedOidcProvider;
let server: TestServer;
let appUrl: string;

beforeAll(async () => {
  provider = await ScriptedOidcProvider.start();
  const port = await freePort();
  appUrl = `http://127.0.0.1:${port}`;
  server = await startServer({ PORT: String(port), ...provider.appSettings(appUrl), AUTH_OIDC_TIMEOUT: String(TIMEOUT_SECONDS) });
});
afterEach(() => provider.reset());
afterAll(async () => {
  await server?.stop();
  await provider?.stop();
});

const pathOf = (url: string) => {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
};

/** Start, the provider's instant redirect back, and the callback's response, timed. */
async function signIn(client = new Client(server.url)): Promise<{ response: Response; client: Client; ms: number }> {
  const begun = Date.now();
  const start = await client.get("/api/auth/oidc/start");
  if (start.status !== 302) return { response: start, client, ms: Date.now() - begun };
  const back = await fetch(start.headers.get("location")!, { redirect: "manual" });
  expect(back.status).toBe(302);
  const response = await client.get(pathOf(back.headers.get("location")!));
  return { response, client, ms: Date.now() - begun };
}

const expectRefused = (outcome: { response: Response; client: Client }, reason?: string) =>
  expectSsoRefused(outcome.response, outcome.client, reason);

describe("the provider down or slow: a clear message within the timeout", () => {
  // Each request to the provider is bounded by AUTH_OIDC_TIMEOUT; a slow answer comes after 3 s.
  const bound = TIMEOUT_SECONDS * 1000 + 1_500;

  test("discovery slow, then down: the start sends the person back to /login with “not answering”", async () => {
    for (const behaviour of ["slow", "down"] as const) {
      provider.behaviour.discovery = behaviour;
      const outcome = await signIn();
      await expectRefused(outcome, "unavailable");
      expect(outcome.ms, behaviour).toBeLessThan(bound);
      // Where the browser lands: the login page says why, from the cookie the refusal set.
      const page = await (await outcome.client.get("/login?error=oidc")).text();
      expect(page).toContain("is not answering right now, so you are not signed in");
    }
  });

  test("a failed discovery is retried: once the provider is back, the start works", async () => {
    const before = provider.hits.discovery;
    const start = await new Client(server.url).get("/api/auth/oidc/start");
    expect(start.status).toBe(302);
    expect(provider.hits.discovery).toBe(before + 1);
  });

  test("token endpoint slow, then down: refused as unavailable within the bound", async () => {
    for (const behaviour of ["slow", "down"] as const) {
      provider.behaviour.token = behaviour;
      const outcome = await signIn();
      await expectRefused(outcome, "unavailable");
      expect(outcome.ms, behaviour).toBeLessThan(bound);
    }
  });

  test("JWKS slow, then down: the ID token cannot be checked, so refused as unavailable within the bound", async () => {
    for (const behaviour of ["slow", "down"] as const) {
      provider.behaviour.jwks = behaviour;
      const before = provider.hits.jwks;
      const outcome = await signIn();
      await expectRefused(outcome, "unavailable");
      expect(outcome.ms, behaviour).toBeLessThan(bound);
      expect(provider.hits.jwks).toBeGreaterThan(before);
    }
  });

  test("once all is well, the same provider signs a person in (its ID token carries the email)", async () => {
    provider.person = { sub: `sub-${uniqueEmail()}`, email: uniqueEmail("scripted"), email_verified: true };
    const { response, client } = await signIn();
    expect(response.status).toBe(303);
    expect(new URL(response.headers.get("location")!, appUrl).pathname).toBe("/dashboard");
    const me = (await (await client.get("/api/me")).json()) as { user: { email: string } };
    expect(me.user.email).toBe(provider.person.email);
    expect(provider.hits.userinfo).toBe(0); // the ID token had the email
  });

  test("an ID token without the email: it comes from UserInfo", async () => {
    const email = uniqueEmail("userinfo");
    provider.person = { sub: `sub-${email}`, email, email_verified: true };
    provider.nextIdToken = { claims: ({ email: _e, email_verified: _v, ...claims }) => claims };
    const before = provider.hits.userinfo;
    const { response, client } = await signIn();
    expect(response.status).toBe(303);
    expect(provider.hits.userinfo).toBe(before + 1);
    const me = (await (await client.get("/api/me")).json()) as { user: { email: string } };
    expect(me.user.email).toBe(email);
  });
});

describe("forged ID tokens sign nobody in", () => {
  const now = () => Math.floor(Date.now() / 1000);
  const cases: [string, ScriptedOidcProvider["nextIdToken"]][] = [
    ["a wrong aud", { claims: (claims) => ({ ...claims, aud: "some-other-client" }) }],
    ["our client among several audiences but a wrong azp", { claims: (claims) => ({ ...claims, aud: [SCRIPTED_CLIENT_ID, "other"], azp: "other" }) }],
    ["a wrong iss", { claims: (claims) => ({ ...claims, iss: "https://evil.example" }) }],
    ["a wrong nonce", { claims: (claims) => ({ ...claims, nonce: "nonce-of-another-flow" }) }],
    ["no nonce", { claims: ({ nonce: _nonce, ...claims }) => claims }],
    ["an exp in the past", { claims: (claims) => ({ ...claims, iat: now() - 600, exp: now() - 300 }) }],
    ["a signature by a key not in the JWKS (same kid)", { foreignKey: { kid: "scripted-1" } }],
    ["a signature by a key not in the JWKS (new kid)", { foreignKey: { kid: "attacker-key" } }],
  ];

  for (const [name, script] of cases) {
    test(`an ID token with ${name}`, async () => {
      provider.person = { sub: `sub-${uniqueEmail()}`, email: uniqueEmail("forged"), email_verified: true };
      provider.nextIdToken = script;
      await expectRefused(await signIn());
    });
  }

  test("no 500 and no stack trace reached a response in any of the above", () => {
    expect(server.output()).not.toMatch(/Unexpected error/);
  });
});
