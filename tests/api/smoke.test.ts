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
