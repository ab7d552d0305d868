// Node's fetch with a cookie jar, for tests that act as a browser over HTTP: it stores Set-Cookie from
// responses and sends cookies back respecting Path. No test framework here: the browser tests use it too.
//
// Unlike a browser, the jar keeps a cookie past its Max-Age (only Max-Age=0 or an empty value removes
// it), so tests can present expired tokens and see what the server answers.

export const ACCESS_COOKIE = "access_token";
export const REFRESH_COOKIE = "refresh_token";

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
// The jar

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

export class CookieJar {
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

  removeCookie(suffix: string): void {
    for (const [key, cookie] of this.jar) if (cookie.name.endsWith(suffix)) this.jar.delete(key);
  }

  /** Another client with a copy of this jar: the same browser profile, later diverging. */
  clone(): this {
    const copy = new (this.constructor as new (baseUrl: string, headers: Record<string, string>) => this)(this.baseUrl, this.headers);
    for (const [key, cookie] of this.jar) copy.jar.set(key, { ...cookie });
    return copy;
  }
}
