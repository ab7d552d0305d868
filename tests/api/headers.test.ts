// Security headers on pages and API responses, and the per-address bounds on refresh and register.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startServer, type TestServer } from "../support/server";
import { Client, expectError, registerUser, uniqueEmail } from "../support/client";

describe("security headers", () => {
  let server: TestServer;
  let secure: TestServer;
  beforeAll(async () => {
    [server, secure] = await Promise.all([startServer(), startServer({ AUTH_COOKIE_SECURE: "true" })]);
  });
  afterAll(async () => {
    await Promise.all([server?.stop(), secure?.stop()]);
  });

  test.each(["/login", "/register"])("%s carries a CSP with a fresh script nonce and no inline scripts", async (page) => {
    const [first, second] = await Promise.all([fetch(`${server.url}${page}`), fetch(`${server.url}${page}`)]);
    const policy = first.headers.get("content-security-policy") ?? "";
    const scriptSrc = policy.split(";").find((directive) => directive.trim().startsWith("script-src")) ?? "";
    expect(scriptSrc).toMatch(/'nonce-[A-Za-z0-9+/=]{16,}'/);
    expect(scriptSrc).not.toContain("unsafe-inline");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("object-src 'none'");
    expect(second.headers.get("content-security-policy")).not.toBe(policy);
    const nonce = /'nonce-([^']+)'/.exec(scriptSrc)![1]!;
    const html = await first.text();
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
  });

  test.each(["/login", "/api/me", "/api/auth/refresh"])("%s has nosniff, a Referrer-Policy, a Permissions-Policy and no framing", async (path) => {
    const response = await fetch(`${server.url}${path}`, { method: path.endsWith("refresh") ? "POST" : "GET" });
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("same-origin");
    expect(response.headers.get("permissions-policy")).toContain("camera=()");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("x-powered-by")).toBeNull();
  });

  test("Strict-Transport-Security is sent when the cookies are Secure, and not over plain HTTP to localhost", async () => {
    for (const path of ["/login", "/api/me"]) {
      expect((await fetch(`${secure.url}${path}`)).headers.get("strict-transport-security")).toMatch(/max-age=\d{8}/);
      expect((await fetch(`${server.url}${path}`)).headers.get("strict-transport-security")).toBeNull();
    }
  });

  test("a session id with malformed percent-encoding gets a 404 in the error shape, not a 500", async () => {
    const response = await fetch(`${server.url}/api/auth/sessions/%E0%A4%A`, { method: "DELETE" });
    await expectError(response, 404, "not_found");
  });
});

describe("per-address bounds on register and refresh", () => {
  let registerBound: TestServer;
  let refreshBound: TestServer;
  beforeAll(async () => {
    [registerBound, refreshBound] = await Promise.all([
      startServer({ AUTH_REGISTER_RATE_LIMIT: "3" }),
      startServer({ AUTH_REFRESH_RATE_LIMIT: "4" }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([registerBound?.stop(), refreshBound?.stop()]);
  });

  test("the 4th registration in a minute from one address gets 429 with Retry-After, and creates no account", async () => {
    for (let i = 0; i < 3; i++) await registerUser(registerBound);
    const email = uniqueEmail();
    const refused = await new Client(registerBound.url).post("/api/auth/register", { email, password: "long enough" });
    await expectError(refused, 429, "too_many_attempts");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    const login = await new Client(registerBound.url).post("/api/auth/login", { email, password: "long enough" });
    expect(login.status).toBe(401);
  });

  test("the 5th refresh in a minute from one address gets 429 and keeps the session's cookies", async () => {
    const { client } = await registerUser(refreshBound);
    for (let i = 0; i < 4; i++) expect((await client.post("/api/auth/refresh")).status).toBe(200);
    const refused = await client.post("/api/auth/refresh");
    await expectError(refused, 429, "too_many_attempts");
    expect(refused.headers.getSetCookie()).toEqual([]);
    expect((await client.get("/api/me")).status).toBe(200);
  });
});
