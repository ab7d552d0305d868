// A PostgreSQL that cannot be reached, through the store's Prisma paths and its driver-level paths alike,
// is a 503 `service_unavailable`, never a 500: a closed port, and a server that accepts connections but
// never answers (node-postgres then gives up with a message and no code).
import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAuthError } from "../auth/errors";
import type { AuthStore } from "../auth/store";
import { openPostgres, type Database } from "./client";
import { PrismaAuthStore } from "./prisma-store";
import { isDatabaseUnavailable, reportingUnavailable } from "./unavailable";

async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return "no error";
  } catch (error) {
    return isAuthError(error) ? error.code : `not an AuthError: ${String(error)}`;
  }
}

const storeCalls: Record<string, (store: AuthStore) => Promise<unknown>> = {
  "findSession (driver)": (store) => store.findSession("s"),
  "findRefreshTokenWithSession (driver)": (store) => store.findRefreshTokenWithSession("h"),
  "listLiveSessions (Prisma)": (store) => store.listLiveSessions("u", new Date()),
};

describe("a PostgreSQL server that refuses connections", () => {
  let database: Database;
  let store: AuthStore;

  beforeAll(async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    database = openPostgres(`postgresql://postgres@127.0.0.1:${port}/auth`);
    store = reportingUnavailable(new PrismaAuthStore(database));
  });
  afterAll(async () => {
    await database.close().catch(() => undefined);
  });

  for (const [name, call] of Object.entries(storeCalls)) {
    it(`answers service_unavailable to ${name}`, async () => {
      expect(await codeOf(call(store))).toBe("service_unavailable");
    });
  }
});

describe("a PostgreSQL server that never answers", () => {
  let silent: Server;
  let port: number;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    silent = createServer((socket) => void sockets.push(socket)); // accepts, then says nothing
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    port = (silent.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it("is recognised as unavailable once the pool gives up waiting", async () => {
    const pool = new pg.Pool({ connectionString: `postgresql://postgres@127.0.0.1:${port}/auth`, connectionTimeoutMillis: 100 });
    pool.on("error", () => undefined);
    try {
      const error = await pool.query("SELECT 1").then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(error).toBeInstanceOf(Error);
      expect(isDatabaseUnavailable(error), String(error)).toBe(true);
    } finally {
      await pool.end().catch(() => undefined);
    }
  });

  it("is not confused with a bug", () => {
    expect(isDatabaseUnavailable(new Error("Cannot read properties of undefined"))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("x is not a function"))).toBe(false);
  });
});
