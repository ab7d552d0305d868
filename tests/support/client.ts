// A tiny HTTP client with a cookie jar, for API tests that act like one browser.
import { expect } from "vitest";

export const PASSWORD = "correct horse battery staple";

export class Client {
  readonly cookies = new Map<string, string>();

  constructor(
    /** Changeable: a restarted server listens on another port, and the browser keeps its cookies. */
    public baseUrl: string,
    readonly userAgent = "api-test",
  ) {}

  async request(path: string, init: RequestInit & { json?: unknown } = {}): Promise<Response> {
    const { json, ...rest } = init;
    const headers = new Headers(rest.headers);
    headers.set("User-Agent", this.userAgent);
    if (this.cookies.size > 0) headers.set("Cookie", [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; "));
    if (json !== undefined) headers.set("Content-Type", "application/json");
    const response = await fetch(`${this.baseUrl}${path}`, {
      ...rest,
      headers,
      body: json === undefined ? rest.body : JSON.stringify(json),
      redirect: "manual",
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ""] = cookie.split(";");
      const index = pair.indexOf("=");
      const name = pair.slice(0, index);
      const value = pair.slice(index + 1);
      if (value === "" || /max-age=0/i.test(cookie)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  post(path: string, json?: unknown): Promise<Response> {
    return this.request(path, { method: "POST", json });
  }

  async register(email: string, password = PASSWORD): Promise<{ id: string; email: string }> {
    const response = await this.post("/api/auth/register", { email, password });
    expect(response.status).toBe(201);
    return ((await response.json()) as { user: { id: string; email: string } }).user;
  }

  async login(email: string, password = PASSWORD): Promise<Response> {
    return this.post("/api/auth/login", { email, password });
  }

  get accessToken(): string | undefined {
    return this.cookies.get("access_token");
  }

  get refreshToken(): string | undefined {
    return this.cookies.get("refresh_token");
  }
}

/** The `kid` in a JWT's header. */
export function kidOf(jwt: string | undefined): string | undefined {
  const header = JSON.parse(Buffer.from((jwt ?? "").split(".")[0] ?? "", "base64url").toString() || "{}") as { kid?: string };
  return header.kid;
}

/** The JSON lines a server wrote, parsed. */
export function jsonLogLines(output: string): Record<string, unknown>[] {
  return output
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
