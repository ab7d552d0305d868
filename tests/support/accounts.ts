// Accounts for tests over HTTP: unique emails, a browser-like client that can sign up and sign in, and
// accounts made through the API. No test framework here: the browser tests use it too.
import { randomUUID } from "node:crypto";
import { CookieJar } from "./cookie-jar";
import type { TestServer } from "./server";
import { accessClaims } from "./tokens";

export const PASSWORD = "correct horse battery staple";

/** A helper's request that must succeed; the response's body is in the message when it did not. */
async function expectStatus(response: Response, status: number, what: string): Promise<void> {
  if (response.status !== status) throw new Error(`${what}: expected ${status}, got ${response.status}: ${await response.clone().text()}`);
}

/** A cookie-jar client (a browser profile) that can also sign up and sign in. */
export class Client extends CookieJar {
  /** Registers `email` and keeps the new session's cookies; returns the user. */
  async register(email: string, password = PASSWORD): Promise<{ id: string; email: string }> {
    const response = await this.post("/api/auth/register", { email, password });
    await expectStatus(response, 201, "register");
    return ((await response.json()) as { user: { id: string; email: string } }).user;
  }

  login(email: string, password = PASSWORD): Promise<Response> {
    return this.post("/api/auth/login", { email, password });
  }
}

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
  const user = await client.register(email, password);
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
  await expectStatus(response, 200, "login");
  const { user } = (await response.json()) as { user: { id: string; email: string } };
  return { ...account, client, user, sessionId: accessClaims(client.accessToken).sid as string };
}

/** Registers over the API, then logs that API session out so the account starts with no sessions. */
export async function createAccount(server: TestServer, email: string, password = PASSWORD): Promise<void> {
  const client = new Client(server.url);
  await client.register(email, password);
  await expectStatus(await client.post("/api/auth/logout"), 204, "logout");
}
