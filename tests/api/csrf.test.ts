// Cross-site requests to state-changing endpoints get 403 csrf_rejected and change nothing; same-origin
// requests, and requests with neither Origin nor Sec-Fetch-Site (non-browser clients), are allowed.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Client, PASSWORD, expectError, registerUser, uniqueEmail, type SignedIn } from "../support/client";
import { startServer, type TestServer } from "../support/server";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

type Headers = Record<string, string>;
type Action = (account: SignedIn, headers: Headers) => Promise<Response>;

const actions: [string, number, Action][] = [
  [
    "POST /api/auth/register",
    201,
    (_account, headers) =>
      new Client(server.url).post("/api/auth/register", { email: uniqueEmail(), password: PASSWORD }, { headers }),
  ],
  [
    "POST /api/auth/login",
    200,
    (account, headers) =>
      new Client(server.url).post("/api/auth/login", { email: account.email, password: account.password }, { headers }),
  ],
  ["POST /api/auth/refresh", 200, (account, headers) => account.client.post("/api/auth/refresh", undefined, { headers })],
  ["POST /api/auth/logout", 204, (account, headers) => account.client.post("/api/auth/logout", undefined, { headers })],
  [
    "POST /api/auth/logout-all",
    204,
    (account, headers) => account.client.post("/api/auth/logout-all", undefined, { headers }),
  ],
  [
    "POST /api/auth/password",
    204,
    (account, headers) =>
      account.client.post(
        "/api/auth/password",
        { currentPassword: account.password, newPassword: "another passphrase" },
        { headers },
      ),
  ],
  [
    "DELETE /api/auth/sessions/{id}",
    204,
    (account, headers) => account.client.delete(`/api/auth/sessions/${account.sessionId}`, { headers }),
  ],
];

const crossSite: [string, Headers][] = [
  ["Origin of another site", { origin: "https://evil.example" }],
  ["Origin of another host on the same port", { origin: "http://evil.example:PORT" }],
  ["Origin whose host only starts like ours", { origin: "http://127.0.0.1.evil.example:PORT" }],
  ["Origin: null", { origin: "null" }],
  ["Sec-Fetch-Site: cross-site", { "sec-fetch-site": "cross-site" }],
  ["Sec-Fetch-Site: cross-site with our own Origin", { "sec-fetch-site": "cross-site", origin: "SELF" }],
];

function resolve(headers: Headers): Headers {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      value === "SELF" ? server.url : value.replace("PORT", String(server.port)),
    ]),
  );
}

const matrix = actions.flatMap(([endpoint, , action]) =>
  crossSite.map(([label, headers]) => [endpoint, label, action, headers] as const),
);

describe("403 csrf_rejected", () => {
  test.each(matrix)("%s with %s is refused and sets or clears no cookie", async (_endpoint, _label, action, headers) => {
    const account = await registerUser(server);
    const response = await action(account, resolve(headers));
    expect(response.headers.getSetCookie()).toEqual([]);
    await expectError(response, 403, "csrf_rejected");
  });
});

describe("a refused cross-site request changes nothing", () => {
  const evil = { origin: "https://evil.example" };

  test("cross-site logout, logout-all and device revoke leave the session signed in", async () => {
    const account = await registerUser(server);
    await account.client.post("/api/auth/logout", undefined, { headers: evil });
    await account.client.post("/api/auth/logout-all", undefined, { headers: evil });
    await account.client.delete(`/api/auth/sessions/${account.sessionId}`, { headers: evil });
    expect((await account.client.get("/api/me")).status).toBe(200);
    expect((await account.client.post("/api/auth/refresh")).status).toBe(200);
  });

  test("a cross-site password change leaves the password as it was", async () => {
    const account = await registerUser(server);
    await account.client.post(
      "/api/auth/password",
      { currentPassword: PASSWORD, newPassword: "attacker chosen password" },
      { headers: evil },
    );
    const login = await new Client(server.url).post("/api/auth/login", { email: account.email, password: PASSWORD });
    expect(login.status).toBe(200);
  });

  test("a cross-site registration creates no account", async () => {
    const email = uniqueEmail();
    await new Client(server.url).post("/api/auth/register", { email, password: PASSWORD }, { headers: evil });
    expect((await new Client(server.url).post("/api/auth/register", { email, password: PASSWORD })).status).toBe(201);
  });

  test("a cross-site refresh does not spend the refresh token", async () => {
    const account = await registerUser(server);
    const token = account.client.refreshToken;
    await account.client.post("/api/auth/refresh", undefined, { headers: { "sec-fetch-site": "cross-site" } });
    expect(account.client.refreshToken).toBe(token);
    expect((await account.client.post("/api/auth/refresh")).status).toBe(200);
  });
});

describe("the refresh hop GET /api/auth/refresh, a navigation that rotates", () => {
  const hop = "/api/auth/refresh?next=%2Fdashboard";

  test.each(crossSite)("started by another site (%s): 403 csrf_rejected as a page that goes on from our origin, nothing spent", async (_label, headers) => {
    const account = await registerUser(server);
    const token = account.client.refreshToken;
    const response = await account.client.get(hop, { headers: resolve(headers) });
    expect(response.status).toBe(403);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const page = await response.text();
    expect(page).toContain("Cross-site requests are not allowed.");
    // The browser follows it at once, as a navigation of our own page (so same-origin), back to this hop.
    expect(page).toContain(`<meta http-equiv="refresh" content="0;url=${hop}">`);
    expect(account.client.refreshToken).toBe(token);
    expect((await account.client.post("/api/auth/refresh")).status).toBe(200);
  });

  test.each([
    ["same-origin", { "sec-fetch-site": "same-origin" }],
    ["typed or bookmarked (Sec-Fetch-Site: none)", { "sec-fetch-site": "none" }],
    ["a non-browser client", {}],
  ] as const)("%s: rotates and goes on to next", async (_label, headers) => {
    const account = await registerUser(server);
    const token = account.client.refreshToken;
    const response = await account.client.get(hop, { headers });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/dashboard");
    expect(account.client.refreshToken).not.toBe(token);
  });
});

describe("allowed requests", () => {
  test.each(actions)("%s with our own Origin succeeds", async (_endpoint, status, action) => {
    const account = await registerUser(server);
    const response = await action(account, { origin: server.url, "sec-fetch-site": "same-origin" });
    expect(response.status, await response.text()).toBe(status);
  });

  test.each(actions)("%s with neither Origin nor Sec-Fetch-Site (a non-browser client) succeeds", async (_endpoint, status, action) => {
    const account = await registerUser(server);
    const response = await action(account, {});
    expect(response.status, await response.text()).toBe(status);
  });
});
