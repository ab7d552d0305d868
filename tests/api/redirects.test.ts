// Every place that follows `next` sends the browser only to our own origin, judged on where a browser
// would land after URL normalisation: the login page's redirect for a signed-in visitor, and the refresh
// hop. (The login form's own navigation is checked in Chromium, e2e/sign-in.spec.ts.)
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { registerUser } from "../support/client";
import { startServer, type TestServer } from "../support/server";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

// As curl sends them (raw in the query) and as a link would carry them (percent-encoded).
const OFF_SITE = ["/..//evil.example/", "/.//evil.example", "/%2e%2e//evil.example", "/.\\/evil.example", "//evil.example"];
const spelled = OFF_SITE.flatMap((next) => [next, encodeURIComponent(next)]);

/** Where a browser goes for this response's Location, resolved against the URL it asked for. */
function landing(response: Response, asked: string): URL {
  const location = response.headers.get("location");
  if (!location) throw new Error(`no Location (status ${response.status})`);
  return new URL(location, asked);
}

describe("a signed-in visitor at /login?next=…", () => {
  test.each(spelled)("next=%s lands on our dashboard", async (next) => {
    const { client } = await registerUser(server);
    const asked = `/login?next=${next}`;
    const response = await client.get(asked);
    expect(response.status).toBe(307);
    const url = landing(response, `${server.url}${asked}`);
    expect(url.origin).toBe(server.url);
    expect(url.pathname).toBe("/dashboard");
  });

  test("a same-origin next is followed with its query", async () => {
    const { client } = await registerUser(server);
    const asked = `/login?next=${encodeURIComponent("/dashboard?tab=devices")}`;
    const url = landing(await client.get(asked), `${server.url}${asked}`);
    expect(url.href).toBe(`${server.url}/dashboard?tab=devices`);
  });
});

describe("the refresh hop GET /api/auth/refresh?next=…", () => {
  test.each(spelled)("next=%s rotates and lands on our dashboard", async (next) => {
    const { client } = await registerUser(server);
    const before = client.refreshToken;
    const asked = `/api/auth/refresh?next=${next}`;
    const response = await client.get(asked);
    expect(response.status).toBe(303);
    expect(client.refreshToken).not.toBe(before);
    const url = landing(response, `${server.url}${asked}`);
    expect(url.origin).toBe(server.url);
    expect(url.pathname).toBe("/dashboard");
  });

  test.each(["/api/auth/refresh?next=/dashboard", "/API/auth/refresh", "/%61pi/auth/refresh", "/api/me"])(
    "next=%s (an API path, the hop itself) is not followed: one rotation, then the dashboard",
    async (next) => {
      const { client } = await registerUser(server);
      const asked = `/api/auth/refresh?next=${encodeURIComponent(next)}`;
      const response = await client.get(asked);
      expect(response.status).toBe(303);
      const url = landing(response, `${server.url}${asked}`);
      expect(url.href).toBe(`${server.url}/dashboard`);
    },
  );

  test("without a session it sends the person to log in, keeping only a safe next", async () => {
    const { client } = await registerUser(server);
    client.removeCookie("refresh_token");
    const asked = `/api/auth/refresh?next=${encodeURIComponent("/..//evil.example/")}`;
    const url = landing(await client.get(asked), `${server.url}${asked}`);
    expect(url.origin).toBe(server.url);
    expect(url.pathname).toBe("/login");
    expect(url.searchParams.get("next")).toBe("/dashboard");
  });
});
