// A small HTTP client for the API tests: Node's fetch with a cookie jar that stores Set-Cookie from
// responses and sends cookies back respecting Path, plus the assertions every test file shares.
//
// Unlike a browser, the jar keeps a cookie past its Max-Age (only Max-Age=0 or an empty value removes
// it), so tests can present expired tokens and see what the server answers.
import { randomUUID } from "node:crypto";
import { SignJWT, decodeJwt, decodeProtectedHeader, type JWTPayload, type ProtectedHeaderParameters } from "jose";
import { expect } from "vitest";
import { TEST_SECRET, type TestServer } from "./server";

export const ACCESS_COOKIE = "access_token";
export const REFRESH_COOKIE = "refresh_token";
export const PASSWORD = "correct horse battery staple";

// ---------------------------------------------------------------------------------------------------------
// Set-Cookie parsing

export interface SetCookie {
  name: string;
  value: string;
  path?: string;
  domain?: string;
  maxAge?: number;
  expires?: Date;
  httpOnly: boolean;
  secure: boolean;
  sameSite?: string;
}

export function parseSetCookie(header: string): SetCookie {
  const [pair = "", ...attributes] = header.split(";");
  const eq = pair.indexOf("=");
  const cookie: SetCookie = {
    name: (eq < 0 ? pair : pair.slice(0, eq)).trim(),
    value: eq < 0 ? "" : pair.slice(eq + 1).trim(),
    httpOnly: false,
    secure: false,
  };
  for (const attribute of attributes) {
    const eqAt = attribute.indexOf("=");
    const key = (eqAt < 0 ? attribute : attribute.slice(0, eqAt)).trim().toLowerCase();
    const value = eqAt < 0 ? "" : attribute.slice(eqAt + 1).trim();
    if (key === "path") cookie.path = value;
    else if (key === "domain") cookie.domain = value;
    else if (key === "max-age") cookie.maxAge = Number(value);
    else if (key === "expires") cookie.expires = new Date(value);
    else if (key === "httponly") cookie.httpOnly = true;
    else if (key === "secure") cookie.secure = true;
    else if (key === "samesite") cookie.sameSite = value.toLowerCase();
  }
  return cookie;
}

export function setCookies(response: Response): SetCookie[] {
  return response.headers.getSetCookie().map(parseSetCookie);
}

/** The last Set-Cookie of `response` whose name ends with `suffix` (names may carry __Host-/__Secure-). */
export function responseCookie(response: Response, suffix: string): SetCookie | undefined {
  return setCookies(response).filter((cookie) => cookie.name.endsWith(suffix)).at(-1);
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith("/") || requestPath[cookiePath.length] === "/";
}

// ---------------------------------------------------------------------------------------------------------
// Client with a cookie jar

interface StoredCookie {
  name: string;
  value: string;
  path: string;
}

export interface RequestOptions {
  method?: string;
  /** Sent as a JSON body. */
  json?: unknown;
  /** Sent as is (takes precedence over `json`). */
  body?: BodyInit;
  headers?: Record<string, string>;
  /** Send the jar's cookies (default true). */
  cookies?: boolean;
  /** Store the response's cookies (default true). */
  store?: boolean;
}

export class Client {
  private readonly jar = new Map<string, StoredCookie>();

  private readonly headers: Record<string, string>;

  /** `headers`: sent with every request; a string is taken as the browser's User-Agent. */
  constructor(
    /** Changeable: a restarted server listens on another port, and the browser keeps its cookies. */
    public baseUrl: string,
    headers: Record<string, string> | string = {},
  ) {
    this.headers = typeof headers === "string" ? { "user-agent": headers } : headers;
  }

  async request(path: string, options: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { ...this.headers, ...options.headers };
    let body = options.body;
    if (body === undefined && options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers["content-type"] ??= "application/json";
    }
    const cookieHeader = this.cookieHeader(path);
    if (options.cookies !== false && cookieHeader) headers.cookie = cookieHeader;
    const init: RequestInit & { duplex?: "half" } = { method: options.method ?? "GET", headers, body, redirect: "manual" };
    if (body instanceof ReadableStream) init.duplex = "half";
    const response = await fetch(`${this.baseUrl}${path}`, init);
    if (options.store !== false) this.store(response);
    return response;
  }

  get(path: string, options: RequestOptions = {}): Promise<Response> {
    return this.request(path, { ...options, method: "GET" });
  }

  post(path: string, json?: unknown, options: RequestOptions = {}): Promise<Response> {
    return this.request(path, { json, ...options, method: "POST" });
  }

  delete(path: string, options: RequestOptions = {}): Promise<Response> {
    return this.request(path, { ...options, method: "DELETE" });
  }

  /** Applies a response's Set-Cookie headers: Max-Age=0 or an empty value removes the cookie. */
  store(response: Response): void {
    for (const cookie of setCookies(response)) {
      const path = cookie.path ?? "/";
      const key = `${cookie.name}|${path}`;
      if (cookie.value === "" || (cookie.maxAge !== undefined && cookie.maxAge <= 0)) this.jar.delete(key);
      else this.jar.set(key, { name: cookie.name, value: cookie.value, path });
    }
  }

  /** Stores a cookie from a response even if the response told a browser to drop it (Max-Age=0). */
  keep(cookie: SetCookie): void {
    const path = cookie.path ?? "/";
    this.jar.set(`${cookie.name}|${path}`, { name: cookie.name, value: cookie.value, path });
  }

  /** The Cookie header this client would send to `path`. */
  cookieHeader(path: string): string {
    const pathname = new URL(path, this.baseUrl).pathname;
    return [...this.jar.values()]
      .filter((cookie) => pathMatches(pathname, cookie.path))
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join("; ");
  }

  /** The value of the stored cookie whose name ends with `suffix`. */
  cookie(suffix: string): string | undefined {
    return [...this.jar.values()].find((cookie) => cookie.name.endsWith(suffix))?.value;
  }

  get accessToken(): string {
    const token = this.cookie(ACCESS_COOKIE);
    if (!token) throw new Error("this client holds no access token");
    return token;
  }

  get refreshToken(): string {
    const token = this.cookie(REFRESH_COOKIE);
    if (!token) throw new Error("this client holds no refresh token");
    return token;
  }

  /**
   * Replaces the value of the stored cookie whose name ends with `suffix`, keeping its name and path; with
   * no such cookie, stores one named `suffix` on the path the server would give it.
   */
  setCookie(suffix: string, value: string): void {
    const found = [...this.jar.entries()].find(([, cookie]) => cookie.name.endsWith(suffix));
    const path = suffix === REFRESH_COOKIE ? "/api/auth" : "/";
    if (found) this.jar.set(found[0], { ...found[1], value });
    else this.jar.set(`${suffix}|${path}`, { name: suffix, value, path });
  }

  /** Registers `email` and keeps the new session's cookies; returns the user. */
  async register(email: string, password = PASSWORD): Promise<{ id: string; email: string }> {
    const response = await this.post("/api/auth/register", { email, password });
    expect(response.status, await response.clone().text()).toBe(201);
    return ((await response.json()) as { user: { id: string; email: string } }).user;
  }

  login(email: string, password = PASSWORD): Promise<Response> {
    return this.post("/api/auth/login", { email, password });
  }

  removeCookie(suffix: string): void {
    for (const [key, cookie] of this.jar) if (cookie.name.endsWith(suffix)) this.jar.delete(key);
  }

  /** Another client with a copy of this jar: the same browser profile, later diverging. */
  clone(): Client {
    const copy = new Client(this.baseUrl, this.headers);
    for (const [key, cookie] of this.jar) copy.jar.set(key, { ...cookie });
    return copy;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Accounts

export function uniqueEmail(label = "user"): string {
  return `${label}-${randomUUID().slice(0, 8)}@example.test`;
}

export interface SignedIn {
  client: Client;
  email: string;
  password: string;
  user: { id: string; email: string };
  sessionId: string;
}

/** Registers a new account with a fresh client (a device) and returns it signed in. */
export async function registerUser(
  server: TestServer,
  options: { email?: string; password?: string; userAgent?: string } = {},
): Promise<SignedIn> {
  const email = options.email ?? uniqueEmail();
  const password = options.password ?? PASSWORD;
  const client = new Client(server.url, { "user-agent": options.userAgent ?? "api-tests/register" });
  const response = await client.post("/api/auth/register", { email, password });
  expect(response.status, await response.clone().text()).toBe(201);
  const { user } = (await response.json()) as { user: { id: string; email: string } };
  return { client, email, password, user, sessionId: accessClaims(client.accessToken).sid as string };
}

/** Signs an existing account in on a new client (another device). */
export async function loginUser(
  server: TestServer,
  account: { email: string; password: string },
  userAgent = "api-tests/login",
): Promise<SignedIn> {
  const client = new Client(server.url, { "user-agent": userAgent });
  const response = await client.post("/api/auth/login", { email: account.email, password: account.password });
  expect(response.status, await response.clone().text()).toBe(200);
  const { user } = (await response.json()) as { user: { id: string; email: string } };
  return { ...account, client, user, sessionId: accessClaims(client.accessToken).sid as string };
}

// ---------------------------------------------------------------------------------------------------------
// Tokens

export function accessClaims(token: string): JWTPayload {
  return decodeJwt(token);
}

export function accessHeader(token: string): ProtectedHeaderParameters {
  return decodeProtectedHeader(token);
}

export function base64url(value: string | object): string {
  return Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
}

/** Signs a JWT as an attacker (or a test) would: any claims, algorithm, key id and secret. */
export function signToken(
  claims: JWTPayload,
  options: { kid?: string; alg?: string; secret?: string } = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: options.alg ?? "HS256", typ: "JWT", ...(options.kid ? { kid: options.kid } : {}) })
    .sign(new TextEncoder().encode(options.secret ?? TEST_SECRET));
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until the wall clock reaches `epochMs`. */
export async function sleepUntil(epochMs: number): Promise<void> {
  const wait = epochMs - Date.now();
  if (wait > 0) await sleep(wait);
}

// ---------------------------------------------------------------------------------------------------------
// Assertions

/** Status and the error body `{error, message}` (exactly those keys, a readable message, no stack trace). */
export async function expectError(response: Response, status: number, code: string): Promise<void> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { error: unknown; message: unknown };
  expect(body).toEqual({ error: code, message: expect.any(String) });
  expect((body.message as string).trim().length).toBeGreaterThan(0);
  expect(body.message).not.toMatch(/\n\s+at |Error:|prisma|undefined/i);
}

/** A 401 with its Bearer challenge; `error="invalid_token"` exactly when a token was presented. */
export async function expectUnauthorized(
  response: Response,
  options: { code?: "unauthorized" | "token_expired"; tokenPresented: boolean },
): Promise<void> {
  const challenge = response.headers.get("www-authenticate");
  await expectError(response, 401, options.code ?? "unauthorized");
  expect(challenge).toMatch(/^Bearer\b/);
  if (options.tokenPresented) expect(challenge).toContain('error="invalid_token"');
  else expect(challenge).not.toContain("error=");
}

/** Both auth cookies cleared: empty, Max-Age=0, and on the paths they were set on (else nothing is cleared). */
export function expectSessionCookiesCleared(response: Response): void {
  const access = responseCookie(response, ACCESS_COOKIE);
  const refresh = responseCookie(response, REFRESH_COOKIE);
  expect(access, "access cookie cleared").toMatchObject({ value: "", maxAge: 0, path: "/" });
  expect(refresh, "refresh cookie cleared").toMatchObject({ value: "", maxAge: 0, path: "/api/auth" });
}

export function expectNoStore(response: Response): void {
  expect(response.headers.get("cache-control") ?? "").toMatch(/\bno-store\b/);
}

/** A refresh refusal: 403 with `code`, and both cookies cleared. */
export async function expectRefreshRefused(response: Response, code: string): Promise<void> {
  expectSessionCookiesCleared(response);
  await expectError(response, 403, code);
}

/** Both cookies set with the contract's flags; returns them. */
export function expectSessionCookieFlags(response: Response, accessTtl: number): { access: SetCookie; refresh: SetCookie } {
  const access = responseCookie(response, ACCESS_COOKIE);
  const refresh = responseCookie(response, REFRESH_COOKIE);
  if (!access || !refresh) throw new Error(`both cookies should be set, got: ${response.headers.getSetCookie().join(" | ")}`);
  expect(access).toMatchObject({ httpOnly: true, sameSite: "lax", path: "/" });
  expect(access.value.split(".")).toHaveLength(3);
  expect(access.maxAge).toBeGreaterThan(0);
  expect(access.maxAge).toBeLessThanOrEqual(accessTtl);
  expect(refresh).toMatchObject({ httpOnly: true, path: "/api/auth" });
  expect(["strict", "lax"]).toContain(refresh.sameSite);
  expect(refresh.value.length).toBeGreaterThanOrEqual(43); // 256 bits, base64url or longer
  expect(refresh.value).not.toContain("."); // opaque, not a JWT
  expect(refresh.maxAge).toBeGreaterThan(0);
  return { access, refresh };
}

/**
 * A signed-in response's body expiries (ISO 8601) match its cookies: each Max-Age is the seconds until the
 * matching instant, within 2 s. Returns the instants.
 */
export function expectExpiriesMatchCookies(
  response: Response,
  body: { accessTokenExpiresAt: unknown; refreshTokenExpiresAt: unknown },
  accessTtl: number,
): { accessTokenExpiresAt: Date; refreshTokenExpiresAt: Date } {
  const { access, refresh } = expectSessionCookieFlags(response, accessTtl);
  expect(body.accessTokenExpiresAt).toEqual(expect.any(String));
  expect(body.refreshTokenExpiresAt).toEqual(expect.any(String));
  const accessTokenExpiresAt = new Date(body.accessTokenExpiresAt as string);
  const refreshTokenExpiresAt = new Date(body.refreshTokenExpiresAt as string);
  expect(accessTokenExpiresAt.toISOString()).toBe(body.accessTokenExpiresAt);
  expect(refreshTokenExpiresAt.toISOString()).toBe(body.refreshTokenExpiresAt);
  const secondsUntil = (instant: Date) => (instant.getTime() - Date.now()) / 1000;
  expect(Math.abs(access.maxAge! - secondsUntil(accessTokenExpiresAt))).toBeLessThanOrEqual(2);
  expect(Math.abs(refresh.maxAge! - secondsUntil(refreshTokenExpiresAt))).toBeLessThanOrEqual(2);
  return { accessTokenExpiresAt, refreshTokenExpiresAt };
}

/** Polls `GET /api/me` with `token` until it is refused; fails unless that happens within `withinMs`. */
export async function expectAccessEndsWithin(server: TestServer, token: string, withinMs = 1_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  let last: Response;
  for (;;) {
    last = await bearerMe(server, token);
    if (last.status !== 200 || Date.now() >= deadline) break;
    await sleep(50);
  }
  await expectUnauthorized(last, { tokenPresented: true });
}

/** `GET /api/me` with only an Authorization header, as a non-browser client. */
export function bearerMe(server: TestServer, token: string): Promise<Response> {
  return fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${token}` }, redirect: "manual" });
}

/** The `kid` in a JWT's header. */
export function kidOf(jwt: string): string | undefined {
  return accessHeader(jwt).kid;
}

/** The JSON lines a server wrote, parsed. */
export function jsonLogLines(output: string): Record<string, unknown>[] {
  return output
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
