// The account a page was rendered for (`X-Account`): a browser's cookies may belong to another account by
// the time a button is pressed, so every action names the account it is for and is refused for any other.
// Without the header (a non-browser client) nothing changes.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { expectError, expectRefreshRefused, registerUser } from "../support/client";
import { startServer, type TestServer } from "../support/server";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

const account = (id: string) => ({ headers: { "x-account": id } });

describe("X-Account on the dashboard's actions", () => {
  test("another account's id gets 409 account_changed and nothing happens to the signed-in account", async () => {
    const shown = await registerUser(server);
    const current = await registerUser(server);
    const cookies = current.client.clone();

    await expectError(await current.client.post("/api/auth/logout-all", undefined, account(shown.user.id)), 409, "account_changed");
    await expectError(await current.client.post("/api/auth/logout", undefined, account(shown.user.id)), 409, "account_changed");
    await expectError(
      await current.client.request(`/api/auth/sessions/${current.sessionId}`, { method: "DELETE", ...account(shown.user.id) }),
      409,
      "account_changed",
    );
    await expectError(
      await current.client.post(
        "/api/auth/password",
        { currentPassword: current.password, newPassword: "an entirely different passphrase" },
        account(shown.user.id),
      ),
      409,
      "account_changed",
    );
    await expectError(await current.client.get("/api/auth/sessions", account(shown.user.id)), 409, "account_changed");

    // The signed-in account is untouched: still signed in, same password, session alive.
    expect((await current.client.get("/api/me")).status).toBe(200);
    expect((await cookies.post("/api/auth/refresh")).status).toBe(200);
    expect((await current.client.post("/api/auth/login", { email: current.email, password: current.password })).status).toBe(200);
  });

  test("the signed-in account's own id, or no header at all, is served as before", async () => {
    const first = await registerUser(server);
    const before = first.client.clone();
    const response = await first.client.post("/api/auth/logout", undefined, account(first.user.id));
    expect(response.status).toBe(204);
    await expectRefreshRefused(await before.post("/api/auth/refresh"), "refresh_revoked");

    const second = await registerUser(server);
    expect((await second.client.get("/api/auth/sessions", account(second.user.id))).status).toBe(200);
    expect((await second.client.post("/api/auth/logout-all")).status).toBe(204);
  });

  test("a logout naming an account needs that account's access token; without one it is a 401, not a logout", async () => {
    const shown = await registerUser(server);
    const refreshOnly = shown.client.clone();
    refreshOnly.removeCookie("access_token");
    const response = await refreshOnly.post("/api/auth/logout", undefined, account(shown.user.id));
    expect(response.status).toBe(401);
    expect((await shown.client.get("/api/me")).status).toBe(200);
  });
});
