// The auth service end to end over the real Prisma store on a temporary SQLite file. Time only moves when a
// test moves `now`: the service reads it through its injected clock.
import argon2 from "argon2";
import { decodeProtectedHeader } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTempDatabase, type TempDatabase } from "../../tests/support/temp-database";
import { CLOCK_TOLERANCE, importSigningKey, type SigningKey } from "./access-token";
import { loadAuthConfig, type Env } from "./config";
import { AccountAdmin } from "./admin";
import { AuthError, type ErrorCode } from "./errors";
import { hashingStats, setHashingLimits } from "./password";
import { loginInput, passwordChangeInput, registerInput } from "./input";
import type { AuthLogEntry } from "./activity";
import { importKeyRing } from "./keys";
import { hashRefreshToken, KEPT_SPENT_TOKENS, REUSE_WALK_STEPS } from "./refresh-token";
import { LIVENESS_CACHE_MS } from "./liveness-cache";
import { AuthService, type AuthServiceDeps } from "./service";
import type { ClientInfo, IssuedTokens, Principal } from "./types";

const SECRET = "service-test-secret-that-is-32-bytes-or-more";
const PASSWORD = "correct horse battery";
const ALICE = "alice@example.com";
const BOB = "bob@example.com";
const CLIENT: ClientInfo = { ip: null, userAgent: "vitest" };

let database: TempDatabase;
let signingKey: SigningKey;
let now: Date;
let auth: AuthService;

function advance(seconds: number): void {
  now = new Date(now.getTime() + seconds * 1000);
}

/** A service over the shared test database and clock; `env` holds the settings a test changes. */
function createService(env: Env = {}, key = signingKey, deps: Partial<AuthServiceDeps> = {}): AuthService {
  return new AuthService({
    config: loadAuthConfig(env),
    store: database.store,
    signingKey: key,
    secret: SECRET,
    clock: () => now,
    ...deps,
  });
}

function register(email = ALICE, password = PASSWORD, service = auth): Promise<IssuedTokens> {
  return service.register(registerInput.parse({ email, password }), CLIENT);
}

function login(email = ALICE, password = PASSWORD, client = CLIENT, service = auth): Promise<IssuedTokens> {
  return service.login(loginInput.parse({ email, password }), client);
}

/** The principal `authenticate` answers for these tokens' session (the test accounts never verify). */
function principalOf(tokens: IssuedTokens): Principal {
  return { user: { ...tokens.user, emailVerified: false }, sessionId: tokens.sessionId };
}

/** The AuthError a call fails with; fails the test when it succeeds or throws anything else. */
async function failureOf(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error, "expected the call to fail with an AuthError").toBeInstanceOf(AuthError);
  return error as AuthError;
}

async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<AuthError> {
  const error = await failureOf(promise);
  expect(error.code).toBe(code);
  return error;
}

beforeEach(async () => {
  // The hashing queue's bound is the subject of one test, which sets its own; a loaded test machine must
  // not turn the other tests' bursts into 503s.
  setHashingLimits({ maxWaitSeconds: 30 });
  database = openTempDatabase();
  signingKey ??= await importSigningKey(SECRET);
  now = new Date("2030-01-01T00:00:00.000Z");
  auth = createService();
});

afterEach(async () => {
  await database.dispose();
});

describe("register and login", () => {
  it("registers with a normalised email, signs in, and the access token authenticates", async () => {
    const tokens = await register("  Alice@Example.COM ");
    expect(tokens.user.email).toBe(ALICE);
    expect(tokens.accessTokenExpiresAt).toEqual(new Date(now.getTime() + 900_000));
    expect(tokens.refreshTokenExpiresAt).toEqual(new Date(now.getTime() + 2_592_000_000));
    expect(await auth.authenticate(tokens.accessToken)).toEqual(principalOf(tokens));
  });

  it("stores only an argon2id hash of the password and only a hash of the refresh token", async () => {
    const tokens = await register();
    const user = await database.db.user.findUniqueOrThrow({ where: { email: ALICE } });
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    expect(user.passwordHash).not.toContain(PASSWORD);
    const stored = await database.db.refreshToken.findMany({ where: { sessionId: tokens.sessionId } });
    expect(stored.map((row) => row.tokenHash)).toEqual([hashRefreshToken(tokens.refreshToken)]);
  });

  it("refuses an email that is taken, whatever its case", async () => {
    await register();
    await expectCode(register("ALICE@example.com"), "email_taken");
  });

  it("lets only one of two simultaneous sign-ups with one email through", async () => {
    const outcomes = await Promise.allSettled([register(ALICE), register("Alice@Example.com")]);
    expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
    const rejected = outcomes.find((outcome) => outcome.status === "rejected");
    expect(rejected?.reason).toBeInstanceOf(AuthError);
    expect((rejected?.reason as AuthError).code).toBe("email_taken");
  });

  it("refuses sign-up when it is turned off", async () => {
    await expectCode(register(ALICE, PASSWORD, createService({ AUTH_ALLOW_SIGNUP: "false" })), "signup_disabled");
  });

  it("logs in with the right password into a new session", async () => {
    const registered = await register();
    const loggedIn = await login("ALICE@example.com ");
    expect(loggedIn.user).toEqual(registered.user);
    expect(loggedIn.sessionId).not.toBe(registered.sessionId);
    expect((await auth.authenticate(loggedIn.accessToken)).sessionId).toBe(loggedIn.sessionId);
  });

  it("answers invalid_credentials for a wrong password and for an unknown email alike", async () => {
    await register();
    const wrongPassword = await expectCode(login(ALICE, "wrong password"), "invalid_credentials");
    const unknownEmail = await expectCode(login("nobody@example.com"), "invalid_credentials");
    expect(wrongPassword.message).toBe(unknownEmail.message);
    expect(wrongPassword.status).toBe(401);
  });

  it("rehashes a password stored with weaker parameters at the next login", async () => {
    const { user } = await register();
    const weak = await argon2.hash(PASSWORD, { type: argon2.argon2id, memoryCost: 4096, timeCost: 2, parallelism: 1 });
    await database.db.user.update({ where: { id: user.id }, data: { passwordHash: weak } });
    await login();
    const stored = (await database.store.findUserByEmail(ALICE))?.passwordHash;
    expect(stored).not.toBe(weak);
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=3\$/);
  });
});

describe("login throttling", () => {
  /** `count` failed logins, one second apart. */
  async function failLogins(count: number, email = ALICE): Promise<void> {
    for (let i = 0; i < count; i++) {
      await expectCode(login(email, "wrong password"), "invalid_credentials");
      advance(1);
    }
  }

  it("answers the first 5 failures with 401, then 429 with Retry-After, even for the right password", async () => {
    await register();
    await failLogins(5); // failures at t = 0..4 s, now t = 5 s
    const refused = await expectCode(login(ALICE, "wrong password"), "too_many_attempts");
    expect(refused.status).toBe(429);
    expect(refused.retryAfter).toBe(895); // the failure at t = 0 leaves the window at t = 900
    const rightPassword = await expectCode(login(), "too_many_attempts");
    expect(rightPassword.retryAfter).toBe(895);
  });

  it("lets logins through again once the oldest counted failure is a window old", async () => {
    await register();
    await failLogins(5);
    advance(894); // t = 899 s
    expect((await expectCode(login(), "too_many_attempts")).retryAfter).toBe(1);
    advance(1); // t = 900 s
    await expect(login()).resolves.toMatchObject({ user: { email: ALICE } });
  });

  it("does not count a refused attempt as a failure", async () => {
    await register();
    await failLogins(5); // t = 0..4 s
    for (let i = 0; i < 3; i++) await expectCode(login(ALICE, "wrong password"), "too_many_attempts");
    now = new Date("2030-01-01T00:15:00.000Z"); // t = 900 s: only the failure at t = 0 has left
    await expectCode(login(ALICE, "wrong password"), "invalid_credentials");
    // Failures at 1, 2, 3, 4 and 900 s: refused until the one at 1 s leaves.
    expect((await expectCode(login(), "too_many_attempts")).retryAfter).toBe(1);
  });

  it("resets the count after a successful login", async () => {
    await register();
    await failLogins(4);
    await login();
    await failLogins(5);
    await expectCode(login(), "too_many_attempts");
  });

  it("throttles per email: another account is unaffected", async () => {
    await register(ALICE);
    await register(BOB);
    await failLogins(5, ALICE);
    await expectCode(login(ALICE), "too_many_attempts");
    await expect(login(BOB)).resolves.toMatchObject({ user: { email: BOB } });
  });

  it("lets exactly 5 of 12 simultaneous wrong guesses for one email be verified; the rest get 429", async () => {
    await register();
    const results = await Promise.all(Array.from({ length: 12 }, () => failureOf(login(ALICE, "wrong password"))));
    const codes = results.map((error) => error.code);
    expect(codes.filter((code) => code === "invalid_credentials")).toHaveLength(5);
    expect(codes.filter((code) => code === "too_many_attempts")).toHaveLength(7);
  });

  it("throttles an unknown email the same way, so throttling does not reveal which emails exist", async () => {
    await failLogins(5, "nobody@example.com");
    await expectCode(login("nobody@example.com"), "too_many_attempts");
  });

  it("lets one address fail at least 100 times a minute before its own bound applies", async () => {
    const client = { ip: "203.0.113.7", userAgent: "vitest" };
    const strict = createService({ AUTH_IP_MAX_FAILURES: "100", AUTH_IP_WINDOW: "60" });
    const attempt = (i: number) => login(`user${i}@example.com`, "wrong password", client, strict);
    for (let batch = 0; batch < 100; batch += 20) {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => failureOf(attempt(batch + i))));
      expect(results.map((error) => error.code)).toEqual(Array(20).fill("invalid_credentials"));
    }
    await expectCode(attempt(100), "too_many_attempts");
    advance(60);
    await expectCode(attempt(101), "invalid_credentials");
  }, 60_000); // 102 argon2 verifications: seconds alone, many more while other test projects share the cores
});

describe("refresh", () => {
  it("rotates: a new refresh token and access token in the same session", async () => {
    const first = await register();
    advance(60);
    const second = await auth.refresh(first.refreshToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(second.sessionId).toBe(first.sessionId);
    expect(second.accessTokenExpiresAt).toEqual(new Date(now.getTime() + 900_000));
    expect((await auth.authenticate(second.accessToken)).sessionId).toBe(first.sessionId);
    const third = await auth.refresh(second.refreshToken);
    expect(third.sessionId).toBe(first.sessionId);
  });

  it("replays within the grace period with the very token the rotation issued, and the session lives on", async () => {
    const first = await register();
    const rotated = await auth.refresh(first.refreshToken);
    advance(9);
    const replayed = await auth.refresh(first.refreshToken);
    expect(replayed.refreshToken).toBe(rotated.refreshToken);
    expect(replayed.refreshTokenExpiresAt).toEqual(rotated.refreshTokenExpiresAt);
    expect((await auth.authenticate(replayed.accessToken)).sessionId).toBe(first.sessionId);
    await expect(auth.refresh(rotated.refreshToken)).resolves.toMatchObject({ sessionId: first.sessionId });
  });

  it("replays to the chain's current token when the chain moved on more than once within the grace period", async () => {
    const first = await register();
    const second = await auth.refresh(first.refreshToken);
    advance(2);
    const third = await auth.refresh(second.refreshToken);
    advance(2);
    expect((await auth.refresh(first.refreshToken)).refreshToken).toBe(third.refreshToken);
  });

  it("treats a spent token after the grace period as theft and ends the whole session", async () => {
    const first = await register();
    const rotated = await auth.refresh(first.refreshToken);
    advance(10);
    const reused = await expectCode(auth.refresh(first.refreshToken), "refresh_reused");
    expect(reused.status).toBe(403);
    expect(reused.endsSession).toBe(true);
    await expectCode(auth.refresh(rotated.refreshToken), "refresh_revoked");
    await expectCode(auth.authenticate(rotated.accessToken), "unauthorized");
    const session = await database.store.findSession(first.sessionId);
    expect(session?.session.revokedReason).toBe("reuse_detected");
  });

  it("keeps a bounded number of a session's tokens, and its very first one replayed later is still reuse", async () => {
    const first = await register();
    const other = await login(ALICE, PASSWORD);
    let tokens = first;
    // As far behind as the walk is sure to reach: KEPT_SPENT_TOKENS kept, REUSE_WALK_STEPS walked.
    for (let i = 0; i < KEPT_SPENT_TOKENS + REUSE_WALK_STEPS; i++) {
      advance(11);
      tokens = await auth.refresh(tokens.refreshToken);
    }
    const rows = await database.db.refreshToken.count({ where: { sessionId: first.sessionId } });
    expect(rows).toBeLessThanOrEqual(2 * KEPT_SPENT_TOKENS + 1);
    expect(await database.store.findRefreshToken(hashRefreshToken(first.refreshToken))).toBeNull();

    await expectCode(auth.refresh(first.refreshToken), "refresh_reused");
    expect((await database.store.findSession(first.sessionId))?.session.revokedReason).toBe("reuse_detected");
    await expectCode(auth.refresh(tokens.refreshToken), "refresh_revoked");
    await expectCode(auth.authenticate(tokens.accessToken), "unauthorized");
    // The account's other session is another chain: untouched.
    await expect(auth.refresh(other.refreshToken)).resolves.toMatchObject({ sessionId: other.sessionId });
  });

  it("with a grace of 0 treats even an immediate second presentation as theft", async () => {
    const strict = createService({ AUTH_REFRESH_REUSE_GRACE: "0" });
    const first = await register(ALICE, PASSWORD, strict);
    const rotated = await strict.refresh(first.refreshToken);
    await expectCode(strict.refresh(first.refreshToken), "refresh_reused");
    await expectCode(strict.refresh(rotated.refreshToken), "refresh_revoked");
  });

  it("refuses once the session's absolute lifetime is over, however recently it was refreshed", async () => {
    const short = createService({ AUTH_REFRESH_TTL: "3600" });
    let tokens = await register(ALICE, PASSWORD, short);
    const end = new Date(now.getTime() + 3_600_000);
    for (let i = 0; i < 3; i++) {
      advance(1000);
      tokens = await short.refresh(tokens.refreshToken);
    }
    expect(tokens.refreshTokenExpiresAt).toEqual(end); // capped at the session's end, not now + idle
    expect(tokens.accessTokenExpiresAt.getTime()).toBeLessThanOrEqual(end.getTime());
    advance(600); // t = 3600 s: the end
    await expectCode(short.refresh(tokens.refreshToken), "refresh_expired");
  });

  it("refuses a refresh token left unused for the idle lifetime, and each refresh extends it", async () => {
    const idle = createService({ AUTH_REFRESH_TTL: "86400", AUTH_REFRESH_IDLE_TTL: "3600" });
    const first = await register(ALICE, PASSWORD, idle);
    expect(first.refreshTokenExpiresAt).toEqual(new Date(now.getTime() + 3_600_000));
    advance(3599);
    const second = await idle.refresh(first.refreshToken);
    expect(second.refreshTokenExpiresAt).toEqual(new Date(now.getTime() + 3_600_000));
    advance(3600);
    await expectCode(idle.refresh(second.refreshToken), "refresh_expired");
  });

  it("answers refresh_missing without a token and refresh_invalid for an unknown one", async () => {
    await expectCode(auth.refresh(undefined), "refresh_missing");
    await expectCode(auth.refresh(""), "refresh_missing");
    await expectCode(auth.refresh("not-a-token-the-server-issued"), "refresh_invalid");
  });

  it("serves 20 concurrent refreshes with one token from one single chain", async () => {
    const first = await register();
    advance(60);
    const results = await Promise.all(Array.from({ length: 20 }, () => auth.refresh(first.refreshToken)));
    expect(new Set(results.map((result) => result.refreshToken)).size).toBe(1);
    expect(results[0]?.refreshToken).not.toBe(first.refreshToken);
    const chain = await database.db.refreshToken.findMany({ where: { sessionId: first.sessionId } });
    expect(chain).toHaveLength(2);
    advance(1);
    await expect(auth.refresh(results[0]!.refreshToken)).resolves.toMatchObject({ sessionId: first.sessionId });
  });
});

describe("logout", () => {
  it("ends refresh and the access token of the session at once", async () => {
    const tokens = await register();
    await auth.authenticate(tokens.accessToken); // warms the liveness cache
    await auth.logout({ refreshToken: tokens.refreshToken });
    await expectCode(auth.refresh(tokens.refreshToken), "refresh_revoked");
    await expectCode(auth.authenticate(tokens.accessToken), "unauthorized");
  });

  it("is idempotent and quiet about tokens it does not know", async () => {
    const tokens = await register();
    await auth.logout({ refreshToken: tokens.refreshToken });
    await expect(auth.logout({ refreshToken: tokens.refreshToken })).resolves.toBeUndefined();
    await expect(auth.logout({ refreshToken: "unknown" })).resolves.toBeUndefined();
    await expect(auth.logout({})).resolves.toBeUndefined();
  });

  it("works with an expired access token alone", async () => {
    const tokens = await register();
    advance(3600);
    await expectCode(auth.authenticate(tokens.accessToken), "token_expired");
    await auth.logout({ accessToken: tokens.accessToken });
    await expectCode(auth.refresh(tokens.refreshToken), "refresh_revoked");
  });

  it("leaves the user's other sessions signed in", async () => {
    const phone = await register();
    const laptop = await login();
    await auth.logout({ refreshToken: phone.refreshToken });
    await expect(auth.refresh(laptop.refreshToken)).resolves.toMatchObject({ sessionId: laptop.sessionId });
  });

  it("is seen by another instance within the liveness cache time", async () => {
    const other = createService();
    const tokens = await register();
    await other.authenticate(tokens.accessToken); // the other instance caches the live session
    await auth.logout({ refreshToken: tokens.refreshToken });
    expect(LIVENESS_CACHE_MS).toBeLessThan(1000); // the contract's bound for every instance
    advance(LIVENESS_CACHE_MS / 1000);
    await expectCode(other.authenticate(tokens.accessToken), "unauthorized");
  });
});

describe("authenticate", () => {
  it("accepts a valid token up to its expiry and answers token_expired after it", async () => {
    const tokens = await register();
    advance(899);
    await expect(auth.authenticate(tokens.accessToken)).resolves.toEqual(principalOf(tokens));
    advance(1 + CLOCK_TOLERANCE); // past exp by more than the tolerance
    const expired = await expectCode(auth.authenticate(tokens.accessToken), "token_expired");
    expect(expired.tokenPresented).toBe(true);
  });

  it("answers unauthorized without a token", async () => {
    const missing = await expectCode(auth.authenticate(undefined), "unauthorized");
    expect(missing.tokenPresented).toBe(false);
  });

  it("answers unauthorized, not token_expired, for a malformed, tampered or foreign token even when expired", async () => {
    const tokens = await register();
    const [header, payload, signature] = tokens.accessToken.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 1 })).toString("base64url");
    const tampered = [header, forgedPayload, signature].join(".");
    // A real session in the same database, but signed with a key this service does not hold.
    const foreignService = createService({}, await importSigningKey("another-secret-of-at-least-32-bytes!!"));
    const { accessToken: foreign } = await login(ALICE, PASSWORD, CLIENT, foreignService);
    advance(3600);
    for (const token of ["garbage", tampered, foreign]) {
      const error = await expectCode(auth.authenticate(token), "unauthorized");
      expect(error.tokenPresented).toBe(true);
    }
  });
});

describe("sessions", () => {
  it("lists the user's live sessions and marks the current one", async () => {
    const phone = await register();
    advance(1);
    const laptop = await login(ALICE, PASSWORD, { ip: "198.51.100.2", userAgent: "Laptop" });
    advance(1);
    const tablet = await login();
    await auth.logout({ refreshToken: tablet.refreshToken });
    await register(BOB);

    const sessions = await auth.listSessions(principalOf(laptop));
    expect(sessions.map(({ id, current }) => ({ id, current }))).toEqual([
      { id: laptop.sessionId, current: true },
      { id: phone.sessionId, current: false },
    ]);
    expect(sessions[0]).toMatchObject({ ip: "198.51.100.2", userAgent: "Laptop", createdAt: laptop.issuedAt });
  });

  it("does not list a session whose refresh token went idle", async () => {
    const idle = createService({ AUTH_REFRESH_TTL: "86400", AUTH_REFRESH_IDLE_TTL: "3600" });
    const old = await register(ALICE, PASSWORD, idle);
    advance(3000);
    const recent = await login(ALICE, PASSWORD, CLIENT, idle);
    advance(600);
    expect((await idle.listSessions(principalOf(recent))).map((s) => s.id)).toEqual([recent.sessionId]);
    expect(old.sessionId).not.toBe(recent.sessionId);
  });

  it("logout-all ends every session of the user, this one included, and no one else's", async () => {
    const phone = await register();
    const laptop = await login();
    const bob = await register(BOB);
    await auth.logoutAll(await auth.authenticate(laptop.accessToken));
    for (const tokens of [phone, laptop]) {
      await expectCode(auth.refresh(tokens.refreshToken), "refresh_revoked");
      await expectCode(auth.authenticate(tokens.accessToken), "unauthorized");
    }
    await expect(auth.authenticate(bob.accessToken)).resolves.toMatchObject({ user: { email: BOB } });
  });

  it("revokes another of the caller's own sessions", async () => {
    const phone = await register();
    const laptop = await login();
    await auth.revokeSession(principalOf(laptop), phone.sessionId);
    await expectCode(auth.refresh(phone.refreshToken), "refresh_revoked");
    await expectCode(auth.authenticate(phone.accessToken), "unauthorized");
    await expect(auth.authenticate(laptop.accessToken)).resolves.toEqual(principalOf(laptop));
  });

  it("answers not_found for someone else's session and leaves it alone", async () => {
    const alice = await register();
    const bob = await register(BOB);
    await expectCode(auth.revokeSession(principalOf(alice), bob.sessionId), "not_found");
    await expectCode(auth.revokeSession(principalOf(alice), "no-such-session"), "not_found");
    await expect(auth.refresh(bob.refreshToken)).resolves.toMatchObject({ user: { email: BOB } });
  });
});

describe("the reservation made before hashing", () => {
  it("checks at most 5 concurrent right passwords for one account; the rest wait seconds, not the window", async () => {
    await register();
    const outcomes = await Promise.allSettled(Array.from({ length: 12 }, () => login()));
    const refused = outcomes.flatMap((outcome) => (outcome.status === "rejected" ? [outcome.reason as AuthError] : []));
    // 5 are checked at once; a success that settles while later ones are still reserving frees its place.
    expect(outcomes.filter((outcome) => outcome.status === "fulfilled").length).toBeGreaterThanOrEqual(5);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.map((error) => error.code)).toEqual(refused.map(() => "too_many_attempts"));
    for (const error of refused) expect(error.retryAfter).toBeLessThanOrEqual(11); // AUTH_HASH_MAX_WAIT (10) + 1, not the 900 s window
    await expect(login()).resolves.toMatchObject({ user: { email: ALICE } }); // at once: nothing was a failure
  });

  it("answers a flood past the hashing queue's bound with 503 and Retry-After, counting exactly the checked failures", async () => {
    setHashingLimits({ maxWaitSeconds: 1 });
    try {
      const strict = createService({ AUTH_HASH_MAX_WAIT: "1" });
      const attempts = Array.from({ length: 300 }, (_, i) =>
        failureOf(login(`flood${i}@example.com`, "wrong password", { ip: `198.51.100.${i % 250}`, userAgent: "flood" }, strict)),
      );
      const errors = await Promise.all(attempts);
      const busy = errors.filter((error) => error.code === "service_unavailable");
      const failed = errors.filter((error) => error.code === "invalid_credentials");
      expect(busy.length + failed.length).toBe(300); // nothing else: no 500, no 429 (every email and address is fresh)
      expect(busy.length).toBeGreaterThan(0);
      for (const error of busy) expect(error).toMatchObject({ status: 503, retryAfter: expect.any(Number) });
      expect(hashingStats().refused).toBeGreaterThan(0);
      // Each checked guess left its two failures (email and address), each refused one nothing.
      expect(await database.db.loginFailure.count({ where: { pending: false } })).toBe(failed.length * 2);
      expect(await database.db.loginFailure.count({ where: { pending: true } })).toBe(0);
    } finally {
      setHashingLimits({ maxWaitSeconds: 30 });
    }
  });
});

describe("the credential a login verified", () => {
  const NEW_PASSWORD = "a brand new passphrase";
  const ADMIN_PASSWORD = "set by the administrator";
  /** Logins may all be checked at once here: the race is the subject, not the throttle. */
  const loose = () => createService({ AUTH_LOGIN_MAX_FAILURES: "1000" });

  /** `count` logins with `password`, one started every few milliseconds, while `change` runs among them. */
  async function loginsAround(service: AuthService, password: string, count: number, change: () => Promise<unknown>) {
    const logins: Promise<IssuedTokens | AuthError>[] = [];
    let changed: Promise<unknown> | undefined;
    for (let i = 0; i < count; i++) {
      logins.push(login(ALICE, password, { ip: `192.0.2.${i}`, userAgent: "race" }, service).catch((error: AuthError) => error));
      if (i === Math.floor(count / 3)) changed = change();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await changed;
    return Promise.all(logins);
  }

  async function expectEnded(sessions: IssuedTokens[], service: AuthService) {
    advance(1); // past the liveness cache: the admin reset is another process's write
    for (const session of sessions) {
      await expectCode(service.authenticate(session.accessToken), "unauthorized");
      await expectCode(service.refresh(session.refreshToken), "refresh_revoked");
    }
  }

  it("leaves no session alive that began with a password changed or reset meanwhile", async () => {
    const service = loose();
    const owner = await register(ALICE, PASSWORD, service);
    const admin = new AccountAdmin({ config: loadAuthConfig({}), store: database.store });

    const beforeChange = await loginsAround(service, PASSWORD, 40, () =>
      service.changePassword(principalOf(owner), passwordChangeInput.parse({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD })),
    );
    for (const outcome of beforeChange) if (outcome instanceof AuthError) expect(outcome.code).toBe("invalid_credentials");
    await expectEnded(beforeChange.filter((outcome): outcome is IssuedTokens => !(outcome instanceof AuthError)), service);
    await expect(service.authenticate(owner.accessToken)).resolves.toBeDefined(); // the changer's own session stays

    const beforeReset = await loginsAround(service, NEW_PASSWORD, 40, () => admin.resetPassword(ALICE, ADMIN_PASSWORD));
    for (const outcome of beforeReset) if (outcome instanceof AuthError) expect(outcome.code).toBe("invalid_credentials");
    await expectEnded([owner, ...beforeReset.filter((outcome): outcome is IssuedTokens => !(outcome instanceof AuthError))], service);

    for (const old of [PASSWORD, NEW_PASSWORD]) await expectCode(login(ALICE, old, CLIENT, service), "invalid_credentials");
    await expect(login(ALICE, ADMIN_PASSWORD, CLIENT, service)).resolves.toMatchObject({ user: { email: ALICE } });
  }, 60_000);

  it("never writes the old password back when a login rehashes it while the password changes", async () => {
    const service = loose();
    const owner = await register(ALICE, PASSWORD, service);
    const weak = await argon2.hash(PASSWORD, { type: argon2.argon2id, memoryCost: 4096, timeCost: 2, parallelism: 1 });
    await database.db.user.update({ where: { id: owner.user.id }, data: { passwordHash: weak } });
    const change = service.changePassword(principalOf(owner), passwordChangeInput.parse({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD }));
    // Logins that verify the weak hash and rehash it, before, during and after the change.
    await Promise.all(Array.from({ length: 8 }, () => login(ALICE, PASSWORD, CLIENT, service).catch(() => undefined)));
    await change;
    const stored = (await database.store.findUserByEmail(ALICE))!.passwordHash!;
    expect(await argon2.verify(stored, NEW_PASSWORD)).toBe(true);
    await expectCode(login(ALICE, PASSWORD, CLIENT, service), "invalid_credentials");
  });
});

describe("changePassword", () => {
  const NEW_PASSWORD = "a brand new passphrase";

  function changePassword(tokens: IssuedTokens, currentPassword: string, newPassword = NEW_PASSWORD) {
    return auth.changePassword(principalOf(tokens), passwordChangeInput.parse({ currentPassword, newPassword }));
  }

  it("refuses a wrong current password and changes nothing", async () => {
    const tokens = await register();
    await expectCode(changePassword(tokens, "not my password"), "invalid_credentials");
    await expect(login()).resolves.toBeDefined();
  });

  it("counts wrong current passwords with the account's login failures: 429 after the same limit, for both", async () => {
    const tokens = await register();
    for (let i = 0; i < 3; i++) await expectCode(changePassword(tokens, `guess number ${i}`), "invalid_credentials");
    for (let i = 0; i < 2; i++) await expectCode(login(ALICE, `login guess ${i}`), "invalid_credentials");
    const refused = await expectCode(changePassword(tokens, PASSWORD), "too_many_attempts"); // even the right one
    expect(refused.retryAfter).toBe(900);
    await expectCode(login(), "too_many_attempts");
    const activity = await auth.listActivity(principalOf(tokens));
    expect(activity.filter((event) => event.type === "sign_in_failed")).toHaveLength(5);
    advance(900);
    await changePassword(tokens, PASSWORD); // the window passed: checked again, and right
  });

  it("lets exactly 5 of 20 concurrent wrong current passwords be checked", async () => {
    const tokens = await register();
    const errors = await Promise.all(Array.from({ length: 20 }, (_, i) => failureOf(changePassword(tokens, `guess number ${i}`))));
    expect(errors.filter((error) => error.code === "invalid_credentials")).toHaveLength(5);
    expect(errors.filter((error) => error.code === "too_many_attempts")).toHaveLength(15);
  });

  it("switches the password, keeps this session and ends every other one", async () => {
    const current = await register();
    const other = await login();
    await auth.authenticate(other.accessToken);
    await changePassword(current, PASSWORD);

    await expect(auth.authenticate(current.accessToken)).resolves.toEqual(principalOf(current));
    await expect(auth.refresh(current.refreshToken)).resolves.toMatchObject({ sessionId: current.sessionId });
    await expectCode(auth.authenticate(other.accessToken), "unauthorized");
    await expectCode(auth.refresh(other.refreshToken), "refresh_revoked");

    await expectCode(login(ALICE, PASSWORD), "invalid_credentials");
    await expect(login(ALICE, NEW_PASSWORD)).resolves.toMatchObject({ user: { email: ALICE } });
  });
});

describe("signing-key rotation", () => {
  const NEW_SECRET = "the-next-secret-after-rotation-32-bytes-plus";

  /** A service as the app builds it from AUTH_SECRET and AUTH_PREVIOUS_SECRETS. */
  async function serviceWith(current: string, previous?: string): Promise<AuthService> {
    return createService({}, signingKey, await importKeyRing(current, previous));
  }

  it("keeps old access tokens valid with the old key as previous, signs new ones with the new key", async () => {
    const before = await register();
    const rotated = await serviceWith(NEW_SECRET, SECRET);
    await expect(rotated.authenticate(before.accessToken)).resolves.toEqual(principalOf(before));

    const refreshed = await rotated.refresh(before.refreshToken);
    const newKid = (await importKeyRing(NEW_SECRET, undefined)).signingKey.kid;
    expect(decodeProtectedHeader(refreshed.accessToken).kid).toBe(newKid);
    expect(newKid).not.toBe(signingKey.kid);

    const newOnly = await serviceWith(NEW_SECRET);
    await expectCode(newOnly.authenticate(before.accessToken), "unauthorized");
    await expect(newOnly.authenticate(refreshed.accessToken)).resolves.toEqual(principalOf(before));
    // Refresh tokens do not depend on the secret: the chain goes on after the old key is gone.
    await expect(newOnly.refresh(refreshed.refreshToken)).resolves.toMatchObject({ sessionId: before.sessionId });
  });

  it("follows a successor derived with the previous secret when a token is replayed right after the rotation", async () => {
    const first = await register();
    const rotatedBefore = await auth.refresh(first.refreshToken); // successor derived with the old secret
    advance(3);
    const rotated = await serviceWith(NEW_SECRET, SECRET);
    const replayed = await rotated.refresh(first.refreshToken); // a second tab, within the grace period
    expect(replayed.refreshToken).toBe(rotatedBefore.refreshToken);

    // Without the previous secret the chain cannot be followed, and the replay fails closed.
    await expectCode((await serviceWith(NEW_SECRET)).refresh(first.refreshToken), "refresh_expired");
  });
});

describe("security activity", () => {
  const LAPTOP: ClientInfo = { ip: "203.0.113.7", userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0" };
  const PHONE: ClientInfo = { ip: "198.51.100.9", userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Safari/604.1" };

  async function activityOf(tokens: IssuedTokens) {
    return (await auth.listActivity(principalOf(tokens))).map(({ type, ip, userAgent }) => ({ type, ip, userAgent }));
  }

  it("records sign-ins, failures, new devices, revocations and password changes with address and browser", async () => {
    const laptop = await auth.register(registerInput.parse({ email: ALICE, password: PASSWORD }), LAPTOP);
    advance(1);
    await expectCode(login(ALICE, "wrong password", PHONE), "invalid_credentials");
    advance(1);
    const phone = await login(ALICE, PASSWORD, PHONE);
    advance(1);
    // The phone's browser sends back its device cookie: known by now, no new-device entry.
    await login(ALICE, PASSWORD, { ...PHONE, deviceToken: phone.deviceToken });
    advance(1);
    await auth.revokeSession(principalOf(laptop), phone.sessionId, LAPTOP);
    advance(1);
    await auth.changePassword(principalOf(laptop), passwordChangeInput.parse({ currentPassword: PASSWORD, newPassword: "a new passphrase" }), LAPTOP);
    advance(1);
    await auth.logoutAll(principalOf(laptop), LAPTOP);

    const after = await login(ALICE, "a new passphrase", { ...LAPTOP, deviceToken: laptop.deviceToken });
    expect(await activityOf(after)).toEqual([
      { type: "sign_in", ...LAPTOP },
      { type: "logout_all", ...LAPTOP },
      { type: "password_changed", ...LAPTOP },
      { type: "device_revoked", ...LAPTOP },
      { type: "sign_in", ...PHONE },
      { type: "new_device", ...PHONE },
      { type: "sign_in", ...PHONE },
      { type: "sign_in_failed", ...PHONE },
      { type: "account_created", ...LAPTOP },
    ]);
  });

  it("records a refresh-token reuse once, against the session's owner, with the presenting client", async () => {
    const first = await register();
    await auth.refresh(first.refreshToken, CLIENT);
    advance(30);
    await expectCode(auth.refresh(first.refreshToken, PHONE), "refresh_reused");
    await expectCode(auth.refresh(first.refreshToken, PHONE), "refresh_reused"); // again: the session is over
    const again = await login();
    expect((await activityOf(again)).filter((event) => event.type === "refresh_reused")).toEqual([
      { type: "refresh_reused", ...PHONE },
    ]);
  });

  it("creates no event for a failed sign-in with an unknown email, and only the owner sees their events", async () => {
    await expectCode(login("nobody@example.com", "whatever password", PHONE), "invalid_credentials");
    expect(await database.db.securityEvent.count()).toBe(0);

    const alice = await register();
    const bob = await register(BOB);
    await expectCode(login(BOB, "wrong password"), "invalid_credentials");
    expect((await activityOf(alice)).map((event) => event.type)).toEqual(["account_created"]);
    expect((await activityOf(bob)).map((event) => event.type)).toEqual(["sign_in_failed", "account_created"]);
  });

  it("reads the dashboard's account at once exactly as the separate reads answer", async () => {
    now = new Date("2026-12-01T10:00:00.007Z"); // milliseconds, as stored
    const laptop = await auth.register(registerInput.parse({ email: ALICE, password: PASSWORD }), LAPTOP);
    advance(1.5);
    await expectCode(login(ALICE, "wrong password", PHONE), "invalid_credentials");
    advance(1);
    const phone = await login(ALICE, PASSWORD, PHONE);
    const ended = await login(ALICE, PASSWORD, LAPTOP);
    await auth.revokeSession(principalOf(laptop), ended.sessionId, LAPTOP);
    await auth.refresh(phone.refreshToken, PHONE);
    advance(30);
    await expectCode(auth.refresh(phone.refreshToken, LAPTOP), "refresh_reused");
    await database.store.addIdentity({
      id: "identity-1",
      userId: laptop.user.id,
      issuer: "https://issuer.example",
      subject: "alice",
      email: null,
      linkedAt: new Date("2026-11-30T08:00:00.250Z"),
      lastUsedAt: new Date("2026-11-30T09:00:00Z"),
    });
    await register(BOB); // another account's rows stay out
    advance(60);

    const principal = principalOf(laptop);
    for (const [activityLimit, alertLimit] of [[50, 5], [3, 1]]) {
      expect(await auth.accountOverview(principal, activityLimit, alertLimit)).toEqual({
        sessions: await auth.listSessions(principal),
        activity: await auth.listActivity(principal, activityLimit),
        alerts: await auth.listSecurityAlerts(principal, alertLimit),
        signInMethods: await auth.listSignInMethods(principal),
      });
    }
    const overview = await auth.accountOverview(principal);
    expect(overview.sessions.map((session) => session.current)).toEqual([true]); // the reuse ended the phone's
    expect(overview.alerts.map((alert) => alert.type)).toEqual(["refresh_reused", "new_device", "new_device"]);
    expect(overview.signInMethods).toEqual({
      password: true,
      identities: [{ id: "identity-1", issuer: "https://issuer.example", email: null, linkedAt: new Date("2026-11-30T08:00:00.250Z"), lastUsedAt: new Date("2026-11-30T09:00:00Z") }],
    });
    expect(overview.activity.at(-1)).toEqual({ type: "account_created", createdAt: new Date("2026-12-01T10:00:00.007Z"), ...LAPTOP });
  });

  it("does not record a revoke of a session that had already ended", async () => {
    const mine = await register();
    const other = await login();
    await auth.revokeSession(principalOf(mine), other.sessionId);
    await auth.revokeSession(principalOf(mine), other.sessionId);
    expect((await activityOf(mine)).filter((event) => event.type === "device_revoked")).toHaveLength(1);
  });
});

describe("structured logs", () => {
  it("logs each auth event once, with no token, password or hash anywhere in the entries", async () => {
    const entries: AuthLogEntry[] = [];
    const logged = createService({ AUTH_REFRESH_REUSE_GRACE: "0" }, signingKey, { log: (entry) => entries.push(entry) });
    const client: ClientInfo = { ip: "192.0.2.1", userAgent: "curl/8.5.0" };

    const first = await logged.register(registerInput.parse({ email: ALICE, password: PASSWORD }), client);
    await expectCode(logged.login(loginInput.parse({ email: ALICE, password: "a wrong password" }), client), "invalid_credentials");
    await expectCode(logged.login(loginInput.parse({ email: "ghost@example.com", password: "a wrong password" }), client), "invalid_credentials");
    const second = await logged.refresh(first.refreshToken, client);
    await expectCode(logged.refresh(first.refreshToken, client), "refresh_reused");
    await expectCode(logged.refresh("made-up", client), "refresh_invalid");
    const third = await logged.login(loginInput.parse({ email: ALICE, password: PASSWORD }), { ...client, deviceToken: first.deviceToken });
    await logged.logout({ refreshToken: third.refreshToken }, client);

    expect(entries.map((entry) => [entry.event, entry.level])).toEqual([
      ["account_created", "info"],
      ["sign_in_failed", "warn"],
      ["sign_in_failed_unknown_user", "warn"],
      ["token_refreshed", "info"],
      ["refresh_reused", "warn"],
      ["refresh_rejected", "info"],
      ["sign_in", "info"],
      ["sign_out", "info"],
    ]);
    expect(entries[0]).toMatchObject({ userId: first.user.id, sessionId: first.sessionId, ip: "192.0.2.1", userAgent: "curl/8.5.0" });
    expect(entries[2]?.userId).toBeNull();
    expect(entries[5]).toMatchObject({ reason: "refresh_invalid" });

    const text = JSON.stringify(entries);
    const { passwordHash } = (await database.store.findUserByEmail(ALICE))!;
    for (const secret of [PASSWORD, passwordHash, first.refreshToken, second.refreshToken, first.accessToken, third.accessToken, first.deviceToken!, ALICE]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toContain(hashRefreshToken(first.refreshToken));
  });
});
