// POST /api/auth/logout (this session, idempotent, needs only the refresh cookie) and
// POST /api/auth/logout-all (every session of the user, needs a valid access token).
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  Client,
  accessClaims,
  accessHeader,
  expectAccessEndsWithin,
  expectRefreshRefused,
  expectSessionCookiesCleared,
  expectUnauthorized,
  loginUser,
  nowSeconds,
  registerUser,
  signToken,
} from "../support/client";
import { startServer, type TestServer } from "../support/server";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

const refresh = (client: Client) => client.post("/api/auth/refresh");

/** The client's access token re-signed (with the server's secret) to have expired 30 s ago. */
async function expiredAccessToken(client: Client): Promise<string> {
  const claims = accessClaims(client.accessToken);
  const now = nowSeconds();
  return signToken({ ...claims, iat: now - 60, exp: now - 30 }, { kid: accessHeader(client.accessToken).kid });
}

async function expectLoggedOutResponse(response: Response): Promise<void> {
  expect(response.status).toBe(204);
  expect(await response.text()).toBe("");
  expectSessionCookiesCleared(response);
}

describe("POST /api/auth/logout", () => {
  test("answers 204, clears both cookies, and the session's refresh token then gets refresh_revoked", async () => {
    const { client } = await registerUser(server);
    const before = client.clone();
    await expectLoggedOutResponse(await client.post("/api/auth/logout"));
    await expectRefreshRefused(await refresh(before), "refresh_revoked");
  });

  test("the session's access token stops working within 1 s", async () => {
    const { client } = await registerUser(server);
    const accessToken = client.accessToken;
    await expectLoggedOutResponse(await client.post("/api/auth/logout"));
    await expectAccessEndsWithin(server, accessToken);
  });

  test("is idempotent: the same cookies again, and no cookies at all, get 204", async () => {
    const { client } = await registerUser(server);
    const before = client.clone();
    await expectLoggedOutResponse(await client.post("/api/auth/logout"));
    await expectLoggedOutResponse(await before.post("/api/auth/logout"));
    await expectLoggedOutResponse(await new Client(server.url).post("/api/auth/logout"));
  });

  test("works with only the refresh cookie and an expired access token", async () => {
    const { client } = await registerUser(server);
    const before = client.clone();
    const expired = await expiredAccessToken(client);
    // Sanity: the server does see this access token as expired, not as forged.
    await expectUnauthorized(await client.get("/api/me", { headers: { authorization: `Bearer ${expired}` } }), {
      code: "token_expired",
      tokenPresented: true,
    });
    client.setCookie("access_token", expired);
    await expectLoggedOutResponse(await client.post("/api/auth/logout"));
    await expectRefreshRefused(await refresh(before), "refresh_revoked");
  });

  test("works with only the refresh cookie (no access cookie at all)", async () => {
    const { client } = await registerUser(server);
    const before = client.clone();
    client.removeCookie("access_token");
    await expectLoggedOutResponse(await client.post("/api/auth/logout"));
    await expectRefreshRefused(await refresh(before), "refresh_revoked");
  });

  test("ends only this session: the same user's other device stays signed in", async () => {
    const first = await registerUser(server);
    const second = await loginUser(server, first);
    await expectLoggedOutResponse(await first.client.post("/api/auth/logout"));
    expect((await second.client.get("/api/me")).status).toBe(200);
    expect((await refresh(second.client)).status).toBe(200);
  });
});

describe("POST /api/auth/logout-all", () => {
  test("answers 204 with cookies cleared, and every session of the user ends (refresh_revoked)", async () => {
    const a = await registerUser(server);
    const b = await loginUser(server, a);
    const aBefore = a.client.clone();
    await expectLoggedOutResponse(await a.client.post("/api/auth/logout-all"));
    await expectRefreshRefused(await refresh(aBefore), "refresh_revoked");
    await expectRefreshRefused(await refresh(b.client.clone()), "refresh_revoked");
  });

  test("another session's still-unexpired access token gets 401 from /api/me within 1 s", async () => {
    const a = await registerUser(server);
    const b = await loginUser(server, a);
    expect((await b.client.get("/api/me")).status).toBe(200);
    expect((await a.client.post("/api/auth/logout-all")).status).toBe(204);
    await expectAccessEndsWithin(server, b.client.accessToken);
    await expectUnauthorized(await b.client.get("/api/me"), { tokenPresented: true });
  });

  test("leaves other users signed in", async () => {
    const a = await registerUser(server);
    const stranger = await registerUser(server);
    expect((await a.client.post("/api/auth/logout-all")).status).toBe(204);
    expect((await stranger.client.get("/api/me")).status).toBe(200);
    expect((await refresh(stranger.client)).status).toBe(200);
  });

  test("without an access token → 401 unauthorized with a plain Bearer challenge", async () => {
    await expectUnauthorized(await new Client(server.url).post("/api/auth/logout-all"), { tokenPresented: false });
  });

  test("with only the refresh cookie (no access token) → 401, and the session is not ended", async () => {
    const { client } = await registerUser(server);
    client.removeCookie("access_token");
    await expectUnauthorized(await client.post("/api/auth/logout-all"), { tokenPresented: false });
    expect((await refresh(client)).status).toBe(200);
  });

  test("with an expired access token → 401 token_expired, and the session is not ended", async () => {
    const { client } = await registerUser(server);
    const withExpired = client.clone();
    withExpired.setCookie("access_token", await expiredAccessToken(client));
    await expectUnauthorized(await withExpired.post("/api/auth/logout-all"), {
      code: "token_expired",
      tokenPresented: true,
    });
    expect((await client.get("/api/me")).status).toBe(200);
  });

  test("with an access token of an already ended session → 401", async () => {
    const { client } = await registerUser(server);
    const stale = client.clone();
    expect((await client.post("/api/auth/logout")).status).toBe(204);
    await expectUnauthorized(await stale.post("/api/auth/logout-all"), { tokenPresented: true });
  });

  test("works with Authorization: Bearer and no cookies", async () => {
    const { client } = await registerUser(server);
    const response = await new Client(server.url).post("/api/auth/logout-all", undefined, {
      headers: { authorization: `Bearer ${client.accessToken}` },
    });
    expect(response.status).toBe(204);
    await expectRefreshRefused(await refresh(client), "refresh_revoked");
  });
});
