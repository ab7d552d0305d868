// Single sign-on end to end against a real OpenID Provider (oidc-provider on a loopback port): the start
// redirect, the provider's own login and consent pages driven over HTTP, the callback, and the accounts it
// leads to. Then what an attacker tries with the state and the code, and the account-takeover refusal.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  Client,
  accessClaims,
  expectAccessEndsWithin,
  expectError,
  expectRefreshRefused,
  expectSessionCookieFlags,
  registerUser,
  responseCookie,
  uniqueEmail,
} from "../support/client";
import { expectSsoRefused } from "../support/oidc-assertions";
import { signInAtProvider, startOidcProvider, OIDC_CLIENT_ID, type TestOidcProvider } from "../support/oidc-provider";
import { freePort, startServer, type TestServer } from "../support/server";

let provider: TestOidcProvider;
let server: TestServer;
let bare: TestServer; // no provider configured
let appUrl: string;

beforeAll(async () => {
  const port = await freePort();
  appUrl = `http://127.0.0.1:${port}`;
  provider = await startOidcProvider({ redirectUris: [`${appUrl}/api/auth/oidc/callback`] });
  [server, bare] = await Promise.all([
    startServer({ PORT: String(port), ...provider.appSettings(appUrl), AUTH_OIDC_NAME: "Test Provider" }),
    startServer(),
  ]);
});
afterAll(async () => {
  await Promise.all([server?.stop(), bare?.stop()]);
  await provider?.stop();
});

/** A person at the provider with this email; returns their login name there. */
function providerAccount(email: string | undefined, verified: boolean | undefined): string {
  const login = `idp-${Math.random().toString(36).slice(2, 10)}`;
  provider.accounts.set(login, { email, email_verified: verified });
  return login;
}

function pathOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

async function startSso(client: Client, next?: string): Promise<string> {
  const response = await client.get(`/api/auth/oidc/start${next === undefined ? "" : `?next=${encodeURIComponent(next)}`}`);
  expect(response.status, await response.clone().text()).toBe(302);
  return response.headers.get("location")!;
}

/** Start, the provider's login and consent pages, and the callback URL it sent the browser back to. */
async function throughProvider(client: Client, login: string, options: { next?: string; cancel?: boolean } = {}): Promise<string> {
  const authorizationUrl = await startSso(client, options.next);
  return signInAtProvider(authorizationUrl, login, new Client(provider.issuer), options);
}

async function ssoSignIn(client: Client, login: string, next?: string): Promise<Response> {
  const callback = await throughProvider(client, login, { next });
  expect(callback.startsWith(`${appUrl}/api/auth/oidc/callback?`)).toBe(true);
  return client.get(pathOf(callback));
}

async function expectRefused(response: Response, client: Client, reason?: string): Promise<void> {
  await expectSsoRefused(response, client, reason);
  expect(responseCookie(response, "oidc_flow")).toMatchObject({ value: "", maxAge: 0 });
}

async function me(client: Client): Promise<{ user: { id: string; email: string } }> {
  const response = await client.get("/api/me");
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as { user: { id: string; email: string } };
}

describe("GET /api/auth/oidc/start", () => {
  test("302 to the provider with response_type=code, PKCE S256, state, nonce and the APP_URL redirect_uri", async () => {
    const client = new Client(server.url);
    const response = await client.get("/api/auth/oidc/start?next=/dashboard");
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("location")!);
    expect(location.origin).toBe(provider.issuer);
    const params = location.searchParams;
    expect(params.get("response_type")).toBe("code");
    expect(params.get("client_id")).toBe(OIDC_CLIENT_ID);
    expect(params.get("redirect_uri")).toBe(`${appUrl}/api/auth/oidc/callback`);
    expect(params.get("code_challenge_method")).toBe("S256");
    expect(params.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.get("state")!.length).toBeGreaterThanOrEqual(22);
    expect(params.get("nonce")!.length).toBeGreaterThanOrEqual(22);
    expect(params.get("scope")!.split(" ")).toEqual(expect.arrayContaining(["openid", "email"]));

    const flow = responseCookie(response, "oidc_flow")!;
    expect(flow).toMatchObject({ httpOnly: true, sameSite: "lax", path: "/api/auth/oidc" });
    expect(flow.maxAge).toBeGreaterThan(0);
    expect(flow.maxAge).toBeLessThanOrEqual(600);
    // Sealed: neither the state nor anything else readable in it.
    expect(flow.value).not.toContain(params.get("state"));
    expect(flow.value.split(".")).toHaveLength(5); // a JWE
  });

  test("each start gets its own state, nonce and challenge", async () => {
    const [a, b] = await Promise.all([startSso(new Client(server.url)), startSso(new Client(server.url))]);
    const [pa, pb] = [new URL(a).searchParams, new URL(b).searchParams];
    for (const name of ["state", "nonce", "code_challenge"]) expect(pa.get(name)).not.toBe(pb.get(name));
  });

  test("404 not_found for every single sign-on endpoint when no provider is configured, and no button on the pages", async () => {
    await expectError(await fetch(`${bare.url}/api/auth/oidc/start?next=/dashboard`, { redirect: "manual" }), 404, "not_found");
    await expectError(await fetch(`${bare.url}/api/auth/oidc/callback?code=x&state=y`, { redirect: "manual" }), 404, "not_found");
    const { client } = await registerUser(bare); // signed in: the 404 is not a missing session
    await expectError(await client.get("/api/auth/oidc/identities"), 404, "not_found");
    await expectError(await client.post("/api/auth/oidc/link"), 404, "not_found");
    await expectError(await client.request("/api/auth/oidc/identities/some-id", { method: "DELETE" }), 404, "not_found");
    for (const page of ["/login", "/register"]) {
      const response = await fetch(`${bare.url}${page}`);
      expect(response.status, page).toBe(200);
      const html = await response.text();
      expect(html, page).toContain("<form"); // the page itself, so the missing button means something
      expect(html, page).not.toContain("Continue with");
    }
  });

  test("/login and /register show “Continue with <AUTH_OIDC_NAME>” linking to the start with `next`", async () => {
    const login = await (await fetch(`${server.url}/login?next=${encodeURIComponent("/dashboard?tab=2")}`)).text();
    expect(login).toContain("Continue with Test Provider");
    expect(login).toContain(`href="/api/auth/oidc/start?next=${encodeURIComponent("/dashboard?tab=2")}"`);
    const register = await (await fetch(`${server.url}/register`)).text();
    expect(register).toContain("Continue with Test Provider");
  });
});

describe("signing in through the provider", () => {
  test("a new email makes an account and signs in as a login does; the dashboard shows it", async () => {
    const email = uniqueEmail("sso-new");
    const login = providerAccount(email, true);
    const client = new Client(server.url, "api-tests/sso");
    const response = await ssoSignIn(client, login);

    expect(response.status).toBe(303);
    expect(new URL(response.headers.get("location")!, appUrl).pathname).toBe("/dashboard");
    expectSessionCookieFlags(response, 900);
    expect(responseCookie(response, "oidc_flow")).toMatchObject({ value: "", maxAge: 0 });
    const { user } = await me(client);
    expect(user.email).toBe(email);

    const dashboard = await client.get("/dashboard");
    expect(dashboard.status).toBe(200);
    const html = await dashboard.text();
    expect(html).toContain(email);
    expect(html).toContain("Sign-in methods");
    expect(html).toContain("Signed in with single sign-on");

    const methods = (await (await client.get("/api/auth/oidc/identities")).json()) as {
      password: boolean;
      identities: { issuer: string; email: string }[];
    };
    expect(methods.password).toBe(false);
    expect(methods.identities).toEqual([expect.objectContaining({ issuer: provider.issuer, email })]);
  });

  test("the session is a login's: it refreshes, a second browser finds the same account by (iss, sub), logout-all ends both", async () => {
    const login = providerAccount(uniqueEmail("sso-devices"), true);
    const laptop = new Client(server.url, "api-tests/laptop");
    const phone = new Client(server.url, "api-tests/phone");
    await ssoSignIn(laptop, login);
    await ssoSignIn(phone, login);
    const [a, b] = [await me(laptop), await me(phone)];
    expect(a.user.id).toBe(b.user.id);

    const refreshed = await laptop.post("/api/auth/refresh");
    expect(refreshed.status).toBe(200);
    const sessions = (await (await laptop.get("/api/auth/sessions")).json()) as { sessions: unknown[] };
    expect(sessions.sessions).toHaveLength(2);

    const phoneAccess = phone.accessToken;
    const phoneBefore = phone.clone();
    expect((await laptop.post("/api/auth/logout-all")).status).toBe(204);
    await expectAccessEndsWithin(server, phoneAccess);
    await expectRefreshRefused(await phoneBefore.post("/api/auth/refresh"), "refresh_revoked");
  });

  test("a browser that signed in with the provider is known at its next sign-in: only another browser is news", async () => {
    const login = providerAccount(uniqueEmail("sso-known-browser"), true);
    const laptop = new Client(server.url, "api-tests/laptop");
    for (let i = 0; i < 3; i++) {
      expect((await ssoSignIn(laptop, login)).status).toBe(303);
      expect((await laptop.post("/api/auth/logout")).status).toBe(204);
    }
    const phone = new Client(server.url, "api-tests/phone");
    expect((await ssoSignIn(phone, login)).status).toBe(303);
    const response = await phone.get("/api/auth/activity");
    expect(response.status).toBe(200);
    const { events } = (await response.json()) as { events: { type: string; userAgent: string }[] };
    expect(events.filter((event) => event.type === "new_device").map((event) => event.userAgent)).toEqual(["api-tests/phone"]);
    expect(events.filter((event) => event.type === "sso_sign_in")).toHaveLength(4);
  });

  test("`next` is honoured under the same-origin rules", async () => {
    const login = providerAccount(uniqueEmail("sso-next"), true);
    const kept = await ssoSignIn(new Client(server.url), login, "/dashboard?tab=2");
    expect(new URL(kept.headers.get("location")!, appUrl).href).toBe(`${appUrl}/dashboard?tab=2`);
    for (const evil of ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"]) {
      const response = await ssoSignIn(new Client(server.url), login, evil);
      const location = new URL(response.headers.get("location")!, appUrl);
      expect(location.origin, evil).toBe(appUrl);
      expect(location.pathname, evil).toBe("/dashboard");
    }
  });

  test("a verified email of an existing account links to it; the password still works", async () => {
    const owner = await registerUser(server);
    const login = providerAccount(owner.email, true);
    const client = new Client(server.url);
    expect((await ssoSignIn(client, login)).status).toBe(303);
    expect((await me(client)).user.id).toBe(owner.user.id);
    expect((await owner.client.login(owner.email, owner.password)).status).toBe(200);
  });
});

describe("refusals and attacks", () => {
  test("an unverified provider email that collides with an account is refused: nobody signed in, nothing linked", async () => {
    const owner = await registerUser(server);
    for (const verified of [false, undefined]) {
      const client = new Client(server.url);
      await expectRefused(await ssoSignIn(client, providerAccount(owner.email, verified)), client, "email_unverified");
      const page = await (await client.get("/login?error=oidc")).text();
      expect(page).toContain("Sign in with your password, then connect Test Provider from your dashboard.");
    }
    const methods = (await (await owner.client.get("/api/auth/oidc/identities")).json()) as { identities: unknown[] };
    expect(methods.identities).toEqual([]);
  });

  test("the provider answers error=access_denied (the person cancelled): refused", async () => {
    const client = new Client(server.url);
    const callback = await throughProvider(client, providerAccount(uniqueEmail("cancel"), true), { cancel: true });
    expect(new URL(callback).searchParams.get("error")).toBe("access_denied");
    await expectRefused(await client.get(pathOf(callback)), client);
    const page = await (await fetch(`${server.url}/login?error=oidc`)).text();
    expect(page).toContain("Signing in with Test Provider did not complete, so you are not signed in.");
  });

  test("state missing: a callback without this browser's flow cookie, or without a state, is refused", async () => {
    const victim = new Client(server.url);
    const callback = await throughProvider(victim, providerAccount(uniqueEmail("nostate"), true));
    const elsewhere = new Client(server.url);
    await expectRefused(await elsewhere.get(pathOf(callback)), elsewhere);

    const stripped = new URL(callback);
    stripped.searchParams.delete("state");
    await expectRefused(await victim.get(pathOf(stripped.href)), victim);
  });

  test("login CSRF: an attacker's callback (their code and state) delivered to a victim's browser is refused", async () => {
    const attacker = new Client(server.url);
    const attackerCallback = await throughProvider(attacker, providerAccount(uniqueEmail("attacker"), true));
    const victim = new Client(server.url);
    await startSso(victim); // the victim has a flow of their own in progress
    await expectRefused(await victim.get(pathOf(attackerCallback)), victim);
  });

  test("a forged state, or a forged or altered flow cookie, is refused", async () => {
    const client = new Client(server.url);
    const callback = new URL(await throughProvider(client, providerAccount(uniqueEmail("forged"), true)));
    const saved = client.cookie("oidc_flow")!;
    callback.searchParams.set("state", "forged-state-value-of-the-right-length");
    await expectRefused(await client.get(pathOf(callback.href)), client);

    for (const forged of ["not-a-sealed-value", `${saved.slice(0, -4)}AAAA`]) {
      const again = new Client(server.url);
      const real = await throughProvider(again, providerAccount(uniqueEmail("forged"), true));
      again.setCookie("oidc_flow", forged);
      await expectRefused(await again.get(pathOf(real)), again);
    }
  });

  test("the callback replayed, and a code used twice, are refused after the first success", async () => {
    const client = new Client(server.url);
    const callback = await throughProvider(client, providerAccount(uniqueEmail("replay"), true));
    const stolenFlow = client.cookie("oidc_flow")!;
    const first = await client.get(pathOf(callback));
    expect(first.status).toBe(303);
    expect(new URL(first.headers.get("location")!, appUrl).pathname).toBe("/dashboard");

    // The same browser again: its flow was spent.
    const sameBrowser = new Client(server.url);
    await expectRefused(await sameBrowser.get(pathOf(callback)), sameBrowser);
    // Someone who copied the flow cookie as well: the provider refuses the code a second time.
    const copier = new Client(server.url);
    copier.setCookie("oidc_flow", stolenFlow);
    await expectRefused(await copier.get(pathOf(callback)), copier);
  });

  test("an identity with no email cannot make an account", async () => {
    const client = new Client(server.url);
    await expectRefused(await ssoSignIn(client, providerAccount(undefined, undefined)), client, "email_missing");
  });
});

describe("connecting and disconnecting from the dashboard", () => {
  async function connect(client: Client, login: string): Promise<Response> {
    const started = await client.post("/api/auth/oidc/link");
    expect(started.status, await started.clone().text()).toBe(200);
    const { location } = (await started.json()) as { location: string };
    const callback = await signInAtProvider(location, login, new Client(provider.issuer));
    return client.get(pathOf(callback));
  }

  const dashboardOutcome = (response: Response) => new URL(response.headers.get("location")!, appUrl).searchParams.get("sso");

  test("a signed-in person connects the provider, then signs in with it, then disconnects it", async () => {
    const owner = await registerUser(server);
    const login = providerAccount(uniqueEmail("other-address"), false); // linking needs no email match
    const linked = await connect(owner.client, login);
    expect(linked.status).toBe(303);
    expect(dashboardOutcome(linked)).toBe("connected");
    const methods = (await (await owner.client.get("/api/auth/oidc/identities")).json()) as {
      password: boolean;
      identities: { id: string }[];
    };
    expect(methods.password).toBe(true);
    expect(methods.identities).toHaveLength(1);

    const elsewhere = new Client(server.url);
    await ssoSignIn(elsewhere, login);
    expect((await me(elsewhere)).user.id).toBe(owner.user.id);

    const activity = (await (await owner.client.get("/api/auth/activity")).json()) as { events: { type: string }[] };
    expect(activity.events.map((event) => event.type)).toEqual(expect.arrayContaining(["identity_linked", "sso_sign_in"]));

    expect((await owner.client.delete(`/api/auth/oidc/identities/${methods.identities[0]!.id}`)).status).toBe(204);
    const after = (await (await owner.client.get("/api/auth/oidc/identities")).json()) as { identities: unknown[] };
    expect(after.identities).toEqual([]);
  });

  test("an identity linked to another account stays there", async () => {
    const login = providerAccount(uniqueEmail("taken"), true);
    await ssoSignIn(new Client(server.url), login); // makes its own account
    const other = await registerUser(server);
    expect(dashboardOutcome(await connect(other.client, login))).toBe("identity_taken");
    const methods = (await (await other.client.get("/api/auth/oidc/identities")).json()) as { identities: unknown[] };
    expect(methods.identities).toEqual([]);
  });

  test("a connection whose session ended meanwhile links nothing", async () => {
    const owner = await registerUser(server);
    const started = await owner.client.post("/api/auth/oidc/link");
    const { location } = (await started.json()) as { location: string };
    const callback = await signInAtProvider(location, providerAccount(uniqueEmail("late"), true), new Client(provider.issuer));
    const other = owner.client.clone();
    expect((await other.post("/api/auth/logout-all")).status).toBe(204);
    const response = await owner.client.get(pathOf(callback));
    expect(dashboardOutcome(response)).toBe("session_ended");
    const fresh = await owner.client.login(owner.email, owner.password);
    expect(fresh.status).toBe(200);
    const methods = (await (await owner.client.get("/api/auth/oidc/identities")).json()) as { identities: unknown[] };
    expect(methods.identities).toEqual([]);
  });

  test("the link start needs a live session and is refused cross-site", async () => {
    expect((await new Client(server.url).post("/api/auth/oidc/link")).status).toBe(401);
    const owner = await registerUser(server);
    await expectError(await owner.client.post("/api/auth/oidc/link", undefined, { headers: { origin: "https://evil.example" } }), 403, "csrf_rejected");
  });

  test("the last way to sign in cannot be disconnected; someone else's identity is not found", async () => {
    const client = new Client(server.url);
    await ssoSignIn(client, providerAccount(uniqueEmail("only-sso"), true));
    const methods = (await (await client.get("/api/auth/oidc/identities")).json()) as { identities: { id: string }[] };
    const id = methods.identities[0]!.id;
    await expectError(await client.delete(`/api/auth/oidc/identities/${id}`), 409, "sso_last_method");
    const stranger = await registerUser(server);
    await expectError(await stranger.client.delete(`/api/auth/oidc/identities/${id}`), 404, "not_found");
    expect(accessClaims(client.accessToken).sub).toBeTruthy(); // still signed in
  });
});
