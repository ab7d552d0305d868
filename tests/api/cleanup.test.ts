// The scheduled cleanup inside the server (instrumentation.ts), seen from outside: with a retention of 0
// days an ended session's refresh token becomes unknown, while a live session's spent token is still
// recognised as reuse.
import { afterAll, beforeAll, expect, test } from "vitest";
import { Client, jsonLogLines, REFRESH_COOKIE } from "../support/client";
import { startServer, type TestServer } from "../support/server";

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ AUTH_CLEANUP_INTERVAL: "1", AUTH_RETENTION_DAYS: "0", AUTH_REFRESH_REUSE_GRACE: "0" });
});
afterAll(async () => {
  await server?.stop();
});

async function refreshWith(token: string): Promise<string> {
  const client = new Client(server.url);
  client.setCookie(REFRESH_COOKIE, token);
  const response = await client.post("/api/auth/refresh");
  expect(response.status).toBe(403);
  return ((await response.json()) as { error: string }).error;
}

test("the server prunes ended sessions on its schedule and keeps the spent tokens of live ones", async () => {
  const alive = new Client(server.url);
  await alive.register("alive@example.com");
  const spent = alive.refreshToken!;
  expect((await alive.post("/api/auth/refresh")).status).toBe(200);

  const ended = new Client(server.url);
  await ended.register("ended@example.com");
  const endedToken = ended.refreshToken!;
  expect((await ended.post("/api/auth/logout")).status).toBe(204);
  // (Until the next pass that token answers refresh_revoked; a pass may come any moment, so not asserted.)

  const deadline = Date.now() + 15_000;
  const pruned = () => jsonLogLines(server.output()).find((line) => line.event === "auth.cleanup");
  while (!pruned() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  expect(pruned()).toMatchObject({ level: "info", removed: { sessions: 1, refreshTokens: 1 } });

  expect(await refreshWith(endedToken)).toBe("refresh_invalid"); // its session is gone
  expect(await refreshWith(spent)).toBe("refresh_reused"); // the live session still knows its spent tokens
});
