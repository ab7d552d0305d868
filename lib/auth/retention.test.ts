// The cleanup over a real, migrated SQLite file, with an injected clock: it removes exactly the ended
// sessions (with their tokens), the stale login failures and the old activity, and nothing a live
// session still needs.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTempDatabase, type TempDatabase } from "../../tests/support/temp-database";
import { importSigningKey } from "./access-token";
import { loadAuthConfig, type Env } from "./config";
import { AuthError } from "./errors";
import { loginInput, registerInput } from "./input";
import { DEVICE_MEMORY_DAYS } from "./devices";
import { hasMoreWork, pruneOnce } from "./retention";
import { AuthService } from "./service";
import { NO_CLIENT, type IssuedTokens } from "./types";
import type { PruneCounts } from "./store";

const SECRET = "retention-test-secret-that-is-32-bytes-long";
const PASSWORD = "correct horse battery";
const DAY = 86_400;
const T0 = new Date("2030-01-01T00:00:00.000Z");

let database: TempDatabase;
let now: Date;

const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

async function service(env: Env = {}): Promise<AuthService> {
  return new AuthService({
    config: loadAuthConfig({ AUTH_REFRESH_TTL: String(100 * DAY), ...env }),
    store: database.store,
    signingKey: await importSigningKey(SECRET),
    secret: SECRET,
    clock: () => now,
  });
}

function login(auth: AuthService, email: string): Promise<IssuedTokens> {
  return auth.login(loginInput.parse({ email, password: PASSWORD }), NO_CLIENT);
}

/** Cleanup passes until none hits the batch limit; returns every pass's counts. */
async function cleanUp(env: Env): Promise<PruneCounts[]> {
  const config = loadAuthConfig(env);
  const passes: PruneCounts[] = [];
  do passes.push(await pruneOnce(database.store, config, now));
  while (hasMoreWork(passes.at(-1)!, config) && passes.length < 50);
  return passes;
}

async function sessionIds(): Promise<string[]> {
  return (await database.db.session.findMany({ select: { id: true }, orderBy: { id: "asc" } })).map((row) => row.id);
}

beforeEach(() => {
  database = openTempDatabase();
  now = T0;
});

afterEach(async () => {
  await database.dispose();
});

describe("cleanup", () => {
  it("removes sessions ended longer ago than the retention, with their tokens, and keeps everything else", async () => {
    const auth = await service();
    const signUp = await auth.register(registerInput.parse({ email: "ann@example.com", password: PASSWORD }), NO_CLIENT);

    // A live session with a chain of spent tokens.
    const live = await login(auth, "ann@example.com");
    let head = live;
    for (let i = 0; i < 3; i++) {
      now = at(60 * (i + 1));
      head = await auth.refresh(head.refreshToken);
    }
    now = T0;
    // Sessions that end early: logged out, past their absolute end, gone idle.
    const loggedOut = await login(auth, "ann@example.com");
    await auth.logout({ refreshToken: loggedOut.refreshToken });
    const expired = await login(await service({ AUTH_REFRESH_TTL: "3600" }), "ann@example.com");
    const idle = await login(await service({ AUTH_REFRESH_IDLE_TTL: String(DAY / 2) }), "ann@example.com");
    // Ended recently: within the retention at the time of the cleanup.
    now = at(20 * DAY);
    const recent = await login(auth, "ann@example.com");
    await auth.logout({ refreshToken: recent.refreshToken });

    // Login failures: one far outside every window, one inside.
    const fail = async (subjects: string[], failedAt: Date) => {
      const reserved = await database.store.reserveLoginAttempt(subjects, T0, failedAt, () => 0);
      if ("reservation" in reserved) await database.store.recordLoginFailure(reserved.reservation, failedAt);
    };
    await fail(["email:ann@example.com", "ip:192.0.2.1"], T0);
    now = at(31 * DAY);
    await fail(["email:ann@example.com"], at(31 * DAY - 100));

    const settings = { AUTH_RETENTION_DAYS: "30", AUTH_CLEANUP_BATCH: "2" };
    const passes = await cleanUp(settings);

    for (const pass of passes) for (const count of Object.values(pass)) expect(count).toBeLessThanOrEqual(2);
    const total = (key: keyof PruneCounts) => passes.reduce((sum, pass) => sum + pass[key], 0);
    expect(total("sessions")).toBe(3);
    expect(total("refreshTokens")).toBe(3); // one token each: loggedOut, expired, idle
    expect(total("loginFailures")).toBe(2);
    expect(total("securityEvents")).toBe(0);
    expect(passes.length).toBeGreaterThan(1); // the batch of 2 made it take several passes

    expect(await sessionIds()).toEqual([signUp.sessionId, live.sessionId, recent.sessionId].sort());
    for (const gone of [loggedOut, expired, idle]) {
      expect(await database.db.refreshToken.count({ where: { sessionId: gone.sessionId } })).toBe(0);
    }
    expect(await database.db.refreshToken.count({ where: { sessionId: live.sessionId } })).toBe(4);
    expect((await database.db.loginFailure.findMany()).map((row) => row.failedAt)).toEqual([at(31 * DAY - 100)]);

    // The live session's spent tokens are still known: a replay is reuse, and ends the session.
    const replay = await auth.refresh(live.refreshToken).catch((error: unknown) => error);
    expect(replay).toBeInstanceOf(AuthError);
    expect((replay as AuthError).code).toBe("refresh_reused");

    // A second cleanup finds nothing left to do.
    expect(await cleanUp(settings)).toEqual([{ refreshTokens: 0, sessions: 0, loginFailures: 0, securityEvents: 0, emailTokens: 0, devices: 0 }]);
  });

  it("removes reset and verification links once expired, and browsers unseen for DEVICE_MEMORY_DAYS", async () => {
    const auth = await service({ AUTH_RESET_TTL: "3600" });
    const signUp = await auth.register(registerInput.parse({ email: "ann@example.com", password: PASSWORD }), NO_CLIENT);
    await auth.requestPasswordReset("ann@example.com"); // valid for an hour; the verification link for a day
    now = at(2 * 3600);
    const laterBrowser = await login(auth, "ann@example.com"); // no device cookie: a second browser
    expect((await cleanUp({}))[0]).toMatchObject({ emailTokens: 1, devices: 0 }); // the reset link only

    now = at(DAY + 1);
    expect((await cleanUp({}))[0]).toMatchObject({ emailTokens: 1, devices: 0 }); // now the verification link
    expect(await database.db.emailToken.count()).toBe(0);

    now = at(DEVICE_MEMORY_DAYS * DAY + 3600); // the sign-up browser unseen for 400 days, the other not yet
    expect((await cleanUp({}))[0]).toMatchObject({ devices: 1 });
    const left = await database.db.device.findMany({ select: { lastSeenAt: true } });
    expect(left.map((row) => row.lastSeenAt)).toEqual([at(2 * 3600)]);
    expect(laterBrowser.deviceToken).not.toBe(signUp.deviceToken);
  });

  it("removes activity older than its own retention and keeps newer activity", async () => {
    const auth = await service();
    const signUp = await auth.register(registerInput.parse({ email: "ann@example.com", password: PASSWORD }), NO_CLIENT);
    now = at(50 * DAY);
    // The same browser as at sign-up (its device cookie): a sign-in, and no "new browser" event.
    const later = await auth.login(loginInput.parse({ email: "ann@example.com", password: PASSWORD }), {
      ...NO_CLIENT,
      deviceToken: signUp.deviceToken,
    });

    now = at(91 * DAY);
    const [pass] = await cleanUp({ AUTH_ACTIVITY_RETENTION_DAYS: "90" });
    expect(pass?.securityEvents).toBe(1);
    const left = await auth.listActivity({ user: later.user, sessionId: later.sessionId });
    expect(left.map((event) => [event.type, event.createdAt])).toEqual([["sign_in", at(50 * DAY)]]);
  });

  it("with a retention of 0 days removes an ended session at once, but never a live one", async () => {
    const auth = await service();
    const alive = await auth.register(registerInput.parse({ email: "ann@example.com", password: PASSWORD }), NO_CLIENT);
    const ended = await login(auth, "ann@example.com");
    await auth.refresh(alive.refreshToken);
    now = at(1);
    await auth.logout({ refreshToken: ended.refreshToken });
    now = at(2);
    await cleanUp({ AUTH_RETENTION_DAYS: "0" });
    expect(await sessionIds()).toEqual([alive.sessionId]);
    expect(await database.db.refreshToken.count()).toBe(2);
  });
});
