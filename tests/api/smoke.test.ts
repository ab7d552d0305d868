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
