// GET /api/me: the access cookie or Authorization: Bearer; 401 token_expired / unauthorized with a Bearer
// challenge, error="invalid_token" whenever a token was presented. Forged tokens are signed here with the
// server's test secret (tests/support/server.ts) and the real kid of an issued token.
import type { JWTPayload } from "jose";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  ACCESS_COOKIE,
  accessClaims,
  accessHeader,
  base64url,
  bearerMe,
  expectUnauthorized,
  nowSeconds,
  registerUser,
  signToken,
  type SignedIn,
} from "../support/client";
import { startServer, type TestServer } from "../support/server";

let server: TestServer;
let account: SignedIn;
let other: SignedIn;
let claims: JWTPayload;
let kid: string;
beforeAll(async () => {
  server = await startServer();
  [account, other] = await Promise.all([registerUser(server), registerUser(server)]);
  claims = accessClaims(account.client.accessToken);
  kid = accessHeader(account.client.accessToken).kid!;
});
afterAll(async () => {
  await server?.stop();
});

/** The issued token with its payload swapped for `changes`, keeping the original header and signature. */
function withPayloadChanged(changes: JWTPayload): string {
  const [header, , signature] = account.client.accessToken.split(".");
  return `${header}.${base64url({ ...claims, ...changes })}.${signature}`;
}

function fresh(): JWTPayload {
  const now = nowSeconds();
  return { ...claims, iat: now, exp: now + 600 };
}

/** Presents `token` as the access cookie only. */
function cookieMe(token: string): Promise<Response> {
  return fetch(`${server.url}/api/me`, { headers: { cookie: `${ACCESS_COOKIE}=${token}` }, redirect: "manual" });
}

describe("accepted tokens", () => {
  test("the access cookie gets 200 {user:{id,email}, session:{id}}", async () => {
    const response = await account.client.get("/api/me");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ user: { ...account.user, emailVerified: false }, session: { id: account.sessionId } });
  });

  test("Authorization: Bearer with no cookies gets the same answer", async () => {
    const response = await bearerMe(server, account.client.accessToken);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ user: { ...account.user, emailVerified: false }, session: { id: account.sessionId } });
  });

  test("a token signed with the server's key and correct claims is accepted (control for the forgeries below)", async () => {
    const response = await bearerMe(server, await signToken(fresh(), { kid }));
    expect(response.status).toBe(200);
    expect((await response.json()).user).toEqual({ ...account.user, emailVerified: false });
  });
});

describe("401 unauthorized", () => {
  test("no token at all: the challenge is plain Bearer, without an error", async () => {
    const response = await fetch(`${server.url}/api/me`);
    expect(response.headers.get("www-authenticate")).toBe("Bearer");
    await expectUnauthorized(response, { tokenPresented: false });
  });

  test.each([
    ["a word", "garbage"],
    ["three dots of nothing", ".."],
    ["base64 that is not JSON", "a.b.c"],
  ])("a malformed token (%s) gets error=\"invalid_token\"", async (_label, token) => {
    await expectUnauthorized(await bearerMe(server, token), { tokenPresented: true });
    await expectUnauthorized(await cookieMe(token), { tokenPresented: true });
  });

  test.each([
    ["two words", () => "abc def"],
    ["a valid token followed by another word", () => `${account.client.accessToken} extra`],
    ["a valid token twice", () => `${account.client.accessToken} ${account.client.accessToken}`],
    ["a tab inside", () => "abc\tdef"],
    ["a comma list", () => "abc, def"],
  ])("a Bearer credential that is not one token (%s) gets error=\"invalid_token\", not the no-credentials answer", async (_label, credential) => {
    const response = await fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${credential()}` } });
    await expectUnauthorized(response, { tokenPresented: true });
  });

  test("a malformed Bearer credential is not passed over for the access cookie", async () => {
    const response = await fetch(`${server.url}/api/me`, {
      headers: { authorization: "Bearer not one token", cookie: `${ACCESS_COOKIE}=${account.client.accessToken}` },
    });
    await expectUnauthorized(response, { tokenPresented: true });
  });

  const forgeries: [string, () => Promise<string> | string][] = [
    ["alg none (unsigned)", () => `${base64url({ alg: "none", typ: "JWT", kid })}.${base64url(fresh())}.`],
    ["signed with another key", () => signToken(fresh(), { kid, secret: "another-secret-that-is-at-least-32-bytes-long" })],
    ["HS512 with the right secret", () => signToken(fresh(), { kid, alg: "HS512" })],
    ["HS384 with the right secret", () => signToken(fresh(), { kid, alg: "HS384" })],
    ["a changed sub (payload re-encoded without re-signing)", () => withPayloadChanged({ sub: other.user.id, sid: other.sessionId })],
    ["a changed exp (payload re-encoded without re-signing)", () => withPayloadChanged({ exp: claims.exp! + 86_400 })],
    ["a wrong iss", () => signToken({ ...fresh(), iss: "https://evil.example" }, { kid })],
    ["a wrong aud", () => signToken({ ...fresh(), aud: "some-other-service" }, { kid })],
    ["an expired token signed with another key", () => signToken({ ...fresh(), exp: nowSeconds() - 30 }, { kid, secret: "another-secret-that-is-at-least-32-bytes-long" })],
  ];

  test.each(forgeries)("a token with %s is refused as Bearer and as cookie", async (_label, forge) => {
    const token = await forge();
    await expectUnauthorized(await bearerMe(server, token), { tokenPresented: true });
    await expectUnauthorized(await cookieMe(token), { tokenPresented: true });
  });

  test("the token of a logged-out session", async () => {
    const { client } = await registerUser(server);
    const token = client.accessToken;
    expect((await client.post("/api/auth/logout")).status).toBe(204);
    await expectUnauthorized(await bearerMe(server, token), { tokenPresented: true });
  });
});

describe("401 token_expired", () => {
  test("a correctly signed token whose exp was 30 s ago", async () => {
    const now = nowSeconds();
    const token = await signToken({ ...claims, iat: now - 60, exp: now - 30 }, { kid });
    await expectUnauthorized(await bearerMe(server, token), { code: "token_expired", tokenPresented: true });
    await expectUnauthorized(await cookieMe(token), { code: "token_expired", tokenPresented: true });
  });

  test("a correctly signed token whose exp was 7 s ago (beyond the 5 s of skew the contract allows)", async () => {
    const now = nowSeconds();
    const token = await signToken({ ...claims, iat: now - 60, exp: now - 7 }, { kid });
    await expectUnauthorized(await bearerMe(server, token), { code: "token_expired", tokenPresented: true });
  });
});
