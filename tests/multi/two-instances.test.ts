// Two `next start` instances, A and B, over one PostgreSQL database, as behind a load balancer that sends
// each request anywhere. Together they must behave exactly like one instance: one rotation chain per
// session, reuse detected wherever the spent token turns up, revocations seen everywhere within a second,
// and one failure count per email. The figures the tests see are printed for the README.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PASSWORD, uniqueEmail } from "../support/accounts";
import { ACCESS_COOKIE, REFRESH_COOKIE, responseCookie } from "../support/cookie-jar";
import { createTestDatabase, query, type TestPostgresDatabase } from "../support/postgres";
import { startServer, type TestServer } from "../support/server";
import { bearerMe as me, sleep } from "../support/tokens";

const GRACE_SECONDS = 5;

let database: TestPostgresDatabase;
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  database = await createTestDatabase();
  const settings = { DATABASE_URL: database.url, AUTH_REFRESH_REUSE_GRACE: String(GRACE_SECONDS) };
  // Started together: both run the migrations at once, and the advisory lock lets one of them apply them.
  [a, b] = await Promise.all([startServer(settings), startServer(settings)]);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await database?.drop();
});

const report = (line: string) => console.log(`[two instances] ${line}`);
const newEmail = () => uniqueEmail("multi");

interface Tokens {
  access: string;
  refresh: string;
}

function tokensOf(response: Response): Tokens {
  const access = responseCookie(response, ACCESS_COOKIE)?.value;
  const refresh = responseCookie(response, REFRESH_COOKIE)?.value;
  if (!access || !refresh) throw new Error(`no token cookies in a ${response.status} answer`);
  return { access, refresh };
}

function postJson(server: TestServer, path: string, body: unknown): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

function refresh(server: TestServer, refreshToken: string): Promise<Response> {
  return fetch(`${server.url}/api/auth/refresh`, { method: "POST", headers: { Cookie: `refresh_token=${refreshToken}` } });
}

async function register(server: TestServer, email: string): Promise<Tokens> {
  const response = await postJson(server, "/api/auth/register", { email, password: PASSWORD });
  expect(response.status).toBe(201);
  return tokensOf(response);
}

async function login(server: TestServer, email: string, password = PASSWORD): Promise<Response> {
  return postJson(server, "/api/auth/login", { email, password });
}

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: string }).error;
}

describe("refresh rotation across instances", () => {
  it("treats a spent token replayed on B after the grace period as reuse, and ends the session on A too", async () => {
    const first = await register(a, newEmail());
    const rotated = await refresh(a, first.refresh);
    expect(rotated.status).toBe(200);
    const second = tokensOf(rotated);

    await sleep(GRACE_SECONDS * 1000 + 500);
    const replay = await refresh(b, first.refresh);
    expect(replay.status).toBe(403);
    expect(await errorCode(replay)).toBe("refresh_reused");

    // The whole session ended: the token that replaced the stolen one is refused on A.
    const successor = await refresh(a, second.refresh);
    expect(successor.status).toBe(403);
    expect(await errorCode(successor)).toBe("refresh_revoked");
    expect((await me(a, second.access)).status).toBe(401);
    report(`spent token replayed on B ${GRACE_SECONDS + 0.5} s after its rotation on A: 403 refresh_reused; its successor on A: 403 refresh_revoked`);
  });

  it("serves 50 concurrent refreshes of one token split across A and B, leaving one session with one chain", async () => {
    const email = newEmail();
    const first = await register(a, email);
    const started = performance.now();
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => refresh(i % 2 === 0 ? a : b, first.refresh)),
    );
    const elapsed = Math.round(performance.now() - started);
    const statuses = responses.map((response) => response.status);
    const successes = statuses.filter((status) => status === 200).length;
    const issued = new Set(responses.filter((response) => response.status === 200).map((r) => tokensOf(r).refresh));
    report(`50 concurrent refreshes of one token (25 on A, 25 on B) in ${elapsed} ms: ${successes} × 200, ${issued.size} distinct new refresh token(s)`);
    expect(statuses).toEqual(Array(50).fill(200));
    // Every request was handed the same successor: the chain did not fork.
    expect(issued.size).toBe(1);

    const sessions = await query<{ id: string; revokedAt: Date | null }>(
      database.url,
      `SELECT s.id, s."revokedAt" FROM "Session" s JOIN "User" u ON u.id = s."userId" WHERE u.email = $1`,
      [email],
    );
    expect(sessions).toHaveLength(1);
    expect(sessions[0]?.revokedAt).toBeNull();
    const chain = await query<{ id: string; replacesId: string | null; spentAt: Date | null }>(
      database.url,
      `SELECT id, "replacesId", "spentAt" FROM "RefreshToken" WHERE "sessionId" = $1 ORDER BY "issuedAt", "replacesId" NULLS FIRST`,
      [sessions[0]?.id],
    );
    // The first token, spent, and its one successor, live.
    expect(chain).toHaveLength(2);
    expect(chain[0]).toMatchObject({ replacesId: null, spentAt: expect.any(Date) });
    expect(chain[1]).toMatchObject({ replacesId: chain[0]?.id, spentAt: null });
    report(`after them: ${sessions.length} live session, ${chain.length} refresh tokens in one chain, ${chain.filter((t) => t.spentAt === null).length} unspent`);

    // The chain goes on from the token everyone received, on either instance.
    const [next] = [...issued];
    expect((await refresh(b, next!)).status).toBe(200);
  });

  it("detects reuse on every one of 20 concurrent replays split across A and B, and the session stays ended", async () => {
    const first = await register(b, newEmail());
    const second = tokensOf(await refresh(b, first.refresh));
    await sleep(GRACE_SECONDS * 1000 + 500);
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => refresh(i % 2 === 0 ? a : b, first.refresh)));
    const codes = await Promise.all(responses.map((response) => errorCode(response)));
    const detections = codes.filter((code) => code === "refresh_reused").length;
    report(`20 concurrent replays of a spent token after the grace period (10 on A, 10 on B): ${detections} × 403 refresh_reused`);
    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(403));
    expect(detections).toBe(20);
    expect((await refresh(a, second.refresh)).status).toBe(403);
  });
});

describe("revocation across instances", () => {
  it("ends B's access tokens within a second of a logout-all on A", async () => {
    const email = newEmail();
    await register(a, email);
    const delays: number[] = [];
    for (let round = 0; round < 3; round++) {
      const onA = tokensOf(await login(a, email));
      const onB = tokensOf(await login(b, email));
      // B has just seen both sessions alive, so its liveness cache holds them: the worst case.
      expect((await me(b, onA.access)).status).toBe(200);
      expect((await me(b, onB.access)).status).toBe(200);

      const loggedOut = await fetch(`${a.url}/api/auth/logout-all`, {
        method: "POST",
        headers: { Cookie: `access_token=${onA.access}` },
      });
      expect(loggedOut.status).toBe(204);
      const revokedAt = performance.now();
      let delay = -1;
      while (performance.now() - revokedAt < 2_000) {
        const [viaA, viaB] = await Promise.all([me(b, onA.access), me(b, onB.access)]);
        if (viaA.status === 401 && viaB.status === 401) {
          delay = Math.round(performance.now() - revokedAt);
          break;
        }
        await sleep(10);
      }
      delays.push(delay);
    }
    report(`logout-all on A → both access tokens refused by B after ${delays.join(" ms, ")} ms (3 rounds, B's cache warm each time)`);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(1_000);
    }
  });
});

describe("login throttling across instances", () => {
  it("counts failures made on A and B together: 5 failures split across them, then 429 on both", async () => {
    const email = newEmail();
    await register(a, email);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await login(i % 2 === 0 ? a : b, email, "wrong password")).status);
    const sixth = await login(b, email, "wrong password");
    const rightPassword = await login(a, email);
    report(`5 wrong passwords alternating A, B: ${statuses.join(", ")}; 6th on B: ${sixth.status}; right password on A: ${rightPassword.status} (Retry-After ${rightPassword.headers.get("retry-after")} s)`);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    expect(sixth.status).toBe(429);
    expect(await errorCode(sixth)).toBe("too_many_attempts");
    expect(rightPassword.status).toBe(429);
    expect(Number(rightPassword.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("lets exactly 5 of 16 simultaneous wrong guesses split across A and B be verified", async () => {
    const email = newEmail();
    await register(b, email);
    const responses = await Promise.all(Array.from({ length: 16 }, (_, i) => login(i % 2 === 0 ? a : b, email, "wrong password")));
    const statuses = responses.map((response) => response.status);
    const failures = statuses.filter((status) => status === 401).length;
    const refused = statuses.filter((status) => status === 429).length;
    report(`16 simultaneous wrong passwords (8 on A, 8 on B): ${failures} × 401, ${refused} × 429`);
    expect(failures).toBe(5);
    expect(refused).toBe(11);
  });
});
