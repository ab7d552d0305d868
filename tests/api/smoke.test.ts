import { afterAll, beforeAll, expect, test } from "vitest";
import { startServer, type TestServer } from "../support/server";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

test("an anonymous GET /api/me is refused with 401 and a Bearer challenge", async () => {
  const response = await fetch(`${server.url}/api/me`);
  expect(response.status).toBe(401);
  expect(response.headers.get("www-authenticate")).toBe("Bearer");
  expect(await response.json()).toEqual({ error: "unauthorized", message: expect.any(String) });
});

test("an unknown API path gets 404 not_found in the API's error shape", async () => {
  for (const method of ["GET", "POST", "DELETE"]) {
    const response = await fetch(`${server.url}/api/auth/nope`, { method });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: "not_found", message: expect.any(String) });
  }
});

test("a method a route does not implement gets 405 method_not_allowed in the error shape, with Allow", async () => {
  for (const [method, path, allow] of [
    ["GET", "/api/auth/login", "POST"],
    ["DELETE", "/api/me", "GET"],
    ["PUT", "/api/auth/refresh", "GET, POST"],
  ] as const) {
    const response = await fetch(`${server.url}${path}`, { method });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe(allow);
    expect(await response.json()).toEqual({ error: "method_not_allowed", message: expect.any(String) });
  }
});
