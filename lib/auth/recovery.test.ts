// Password reset, email verification and known browsers in the service, over the real Prisma store (SQLite
// here, PostgreSQL in the unit-pg project). Messages are captured as the notices the mail component gets.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTempDatabase, type TempDatabase } from "../../tests/support/temp-database";
import { importSigningKey, type SigningKey } from "./access-token";
import { loadAuthConfig, type Env } from "./config";
import { hashEmailToken } from "./email-token";
import { AuthError, type ErrorCode } from "./errors";
import { loginInput, passwordResetInput, registerInput } from "./input";
import type { AccountNotice } from "./notices";
import { AuthService } from "./service";
import type { ClientInfo } from "./types";

const SECRET = "recovery-test-secret-that-is-32-bytes-or-more";
const PASSWORD = "correct horse battery";
const NEW_PASSWORD = "a brand new passphrase";
const ALICE = "alice@example.com";
const LAPTOP: ClientInfo = { ip: "203.0.113.7", userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0" };
const PHONE: ClientInfo = { ip: "198.51.100.9", userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Safari/604.1" };

let database: TempDatabase;
let signingKey: SigningKey;
let now: Date;
let sent: AccountNotice[];

function service(env: Env = {}): AuthService {
  return new AuthService({
    config: loadAuthConfig(env),
    store: database.store,
    signingKey,
    secret: SECRET,
    clock: () => now,
    notify: (notice) => sent.push(notice),
  });
}

const advance = (seconds: number) => (now = new Date(now.getTime() + seconds * 1000));
const signUp = (auth: AuthService, client = LAPTOP) => auth.signUp(registerInput.parse({ email: ALICE, password: PASSWORD }), client);
const login = (auth: AuthService, client: ClientInfo, password = PASSWORD) => auth.login(loginInput.parse({ email: ALICE, password }), client);
const resetWith = (auth: AuthService, token: string, newPassword = NEW_PASSWORD) =>
  auth.resetPassword(passwordResetInput.parse({ token, newPassword }), PHONE);

function lastLink(kind: "password_reset_link" | "verify_email_link"): string {
  const notice = sent.filter((entry) => entry.kind === kind).at(-1);
  if (!notice || !("token" in notice)) throw new Error(`no ${kind} was sent`);
  return notice.token;
}

async function codeOf(promise: Promise<unknown>): Promise<ErrorCode> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(AuthError);
  return (error as AuthError).code;
}

beforeEach(async () => {
  database = openTempDatabase();
  signingKey ??= await importSigningKey(SECRET);
  now = new Date("2030-01-01T00:00:00.000Z");
  sent = [];
});

afterEach(async () => {
  await database.dispose();
});

describe("password reset", () => {
  it("sends nothing for an unknown email, and a 256-bit link stored only as its hash for a known one", async () => {
    const auth = service();
    await signUp(auth);
    sent = [];
    await auth.requestPasswordReset("nobody@example.com");
    expect(sent).toEqual([]);
    await auth.requestPasswordReset(ALICE);
    const token = lastLink("password_reset_link");
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    const rows = await database.db.emailToken.findMany({ where: { purpose: "reset" } });
    expect(rows).toHaveLength(1);
    expect(rows[0]?.tokenHash).toBe(hashEmailToken(token));
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows[0]?.expiresAt).toEqual(new Date(now.getTime() + 1800 * 1000));
  });

  it("changes the password once, ends every session, raises the credential version, tells the owner", async () => {
    const auth = service();
    const { tokens } = await signUp(auth);
    const phone = await login(auth, PHONE);
    await auth.requestPasswordReset(ALICE);
    const token = lastLink("password_reset_link");
    advance(60);
    await resetWith(auth, token);

    expect(await codeOf(auth.authenticate(tokens!.accessToken))).toBe("unauthorized");
    expect(await codeOf(auth.authenticate(phone.accessToken))).toBe("unauthorized");
    expect(await codeOf(auth.refresh(phone.refreshToken))).toBe("refresh_revoked");
    expect(await codeOf(login(auth, LAPTOP))).toBe("invalid_credentials");
    await login(auth, { ...LAPTOP, deviceToken: tokens!.deviceToken }, NEW_PASSWORD);
    expect(await codeOf(resetWith(auth, token, "another passphrase"))).toBe("reset_invalid");
    const user = await database.db.user.findUniqueOrThrow({ where: { email: ALICE } });
    expect(user.credentialVersion).toBe(1);
    expect(user.emailVerifiedAt).toEqual(now); // the link reached the address
    expect(sent.at(-1)).toMatchObject({ kind: "password_changed", how: "reset", to: ALICE, ...PHONE, at: now });
    expect((await database.db.securityEvent.findMany({ where: { type: "password_reset" } })).map((event) => event.ip)).toEqual([PHONE.ip]);
  });

  it("refuses expired, superseded, unknown and verification links with one code", async () => {
    const auth = service({ AUTH_RESET_TTL: "60" });
    await signUp(auth);
    await auth.requestPasswordReset(ALICE);
    const older = lastLink("password_reset_link");
    await auth.requestPasswordReset(ALICE);
    const newer = lastLink("password_reset_link");
    expect(await codeOf(resetWith(auth, older))).toBe("reset_invalid");
    expect(await codeOf(resetWith(auth, "made-up"))).toBe("reset_invalid");
    expect(await auth.isResetLinkUsable(newer)).toBe(true);
    advance(60);
    expect(await auth.isResetLinkUsable(newer)).toBe(false);
    expect(await codeOf(resetWith(auth, newer))).toBe("reset_invalid");
    // A verification link is not a reset link.
    expect(await codeOf(resetWith(auth, lastLink("verify_email_link")))).toBe("reset_invalid");
  });

  it("lets exactly one of many concurrent resets with one link through", async () => {
    const auth = service();
    await signUp(auth);
    await auth.requestPasswordReset(ALICE);
    const token = lastLink("password_reset_link");
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) => resetWith(auth, token, `racing passphrase ${i}`).then(() => i, (error: AuthError) => error.code)),
    );
    const winners = outcomes.filter((outcome) => typeof outcome === "number");
    expect(winners).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === "reset_invalid")).toHaveLength(7);
    await login(auth, LAPTOP, `racing passphrase ${winners[0]}`);
    expect((await database.db.user.findUniqueOrThrow({ where: { email: ALICE } })).credentialVersion).toBe(1);
  });

  it("makes every reset link invalid when the password is changed", async () => {
    const auth = service();
    const { tokens } = await signUp(auth);
    await auth.requestPasswordReset(ALICE);
    const token = lastLink("password_reset_link");
    const principal = await auth.authenticate(tokens!.accessToken);
    await auth.changePassword(principal, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, LAPTOP);
    expect(await codeOf(resetWith(auth, token))).toBe("reset_invalid");
    expect(sent.at(-1)).toMatchObject({ kind: "password_changed", how: "changed", ...LAPTOP });
  });

  it("gives an account made without a password (single sign-on) one", async () => {
    const auth = service();
    await database.store.createUser({ id: "sso-user", email: ALICE, passwordHash: null }, now);
    expect(await codeOf(login(auth, LAPTOP))).toBe("invalid_credentials");
    await auth.requestPasswordReset(ALICE);
    await resetWith(auth, lastLink("password_reset_link"));
    await login(auth, LAPTOP, NEW_PASSWORD);
  });
});

describe("email verification", () => {
  it("sign-up sends a link; it verifies once; authenticate says so at once", async () => {
    const auth = service();
    const { tokens } = await signUp(auth);
    expect((await auth.authenticate(tokens!.accessToken)).user.emailVerified).toBe(false);
    const token = lastLink("verify_email_link");
    await auth.verifyEmail(token);
    expect((await auth.authenticate(tokens!.accessToken)).user.emailVerified).toBe(true);
    expect(await codeOf(auth.verifyEmail(token))).toBe("verify_invalid");
    expect(await codeOf(auth.verifyEmail("made-up"))).toBe("verify_invalid");
  });

  it("refuses an expired link; a resent one works", async () => {
    const auth = service({ AUTH_VERIFY_TTL: "60" });
    const { tokens } = await signUp(auth);
    const first = lastLink("verify_email_link");
    advance(60);
    expect(await codeOf(auth.verifyEmail(first))).toBe("verify_invalid");
    await auth.resendVerification(await auth.authenticate(tokens!.accessToken));
    await auth.verifyEmail(lastLink("verify_email_link"));
  });

  it("with required verification: no session at sign-up, 403 only for the right password, then signs in", async () => {
    const auth = service({ AUTH_REQUIRE_EMAIL_VERIFICATION: "true" });
    const { user, tokens } = await signUp(auth);
    expect(tokens).toBeNull();
    expect(user.email).toBe(ALICE);
    expect(await database.db.session.count()).toBe(0);
    expect(await codeOf(login(auth, LAPTOP, "a wrong password"))).toBe("invalid_credentials");
    expect(await codeOf(login(auth, LAPTOP))).toBe("email_unverified");
    await auth.verifyEmail(lastLink("verify_email_link"));
    await login(auth, LAPTOP);
    // The first browser the account ever signs in with is not "new" to its owner.
    expect(sent.filter((notice) => notice.kind === "new_device")).toEqual([]);
  });
});

describe("single sign-on with required verification", () => {
  const ISSUER = "https://id.example.test";
  const identity = (subject: string, email: string, emailVerified: boolean) => ({ issuer: ISSUER, subject, email, emailVerified });

  it("a new account with an email the provider did not confirm gets a verification link and no session, until confirmed", async () => {
    const auth = service({ AUTH_REQUIRE_EMAIL_VERIFICATION: "true" });
    expect(await codeOf(auth.signInWithIdentity(identity("sub-1", ALICE, false), LAPTOP))).toBe("email_unverified");
    expect(await database.db.session.count()).toBe(0);
    const created = await database.db.identity.findFirstOrThrow();
    advance(60);
    expect(await codeOf(auth.signInWithIdentity(identity("sub-1", ALICE, false), LAPTOP))).toBe("email_unverified");
    // The refused sign-in is not recorded as the identity's last use.
    expect((await database.db.identity.findFirstOrThrow()).lastUsedAt).toEqual(created.lastUsedAt);
    await auth.verifyEmail(lastLink("verify_email_link"));
    const issued = await auth.signInWithIdentity(identity("sub-1", ALICE, false), LAPTOP);
    expect(issued.user.email).toBe(ALICE);
  });

  it("a squatter's unconfirmed account is not linked to the owner's provider sign-in, and nobody is signed in", async () => {
    const auth = service({ AUTH_REQUIRE_EMAIL_VERIFICATION: "true" });
    await signUp(auth); // someone registers ALICE's address with a password of their own
    expect(await codeOf(auth.signInWithIdentity(identity("alice-at-provider", ALICE, true), PHONE))).toBe("email_unverified");
    expect(await database.db.identity.count()).toBe(0);
    expect(await database.db.session.count()).toBe(0);
    // The address's owner takes the account back with a reset link, which confirms the address; then it links.
    await auth.requestPasswordReset(ALICE);
    await resetWith(auth, lastLink("password_reset_link"));
    const issued = await auth.signInWithIdentity(identity("alice-at-provider", ALICE, true), PHONE);
    expect(await database.db.identity.count()).toBe(1);
    expect(await codeOf(login(auth, LAPTOP))).toBe("invalid_credentials"); // the squatter's password is gone
    expect(issued.user.email).toBe(ALICE);
  });

  it("a provider-confirmed email makes a verified account that signs in at once", async () => {
    const auth = service({ AUTH_REQUIRE_EMAIL_VERIFICATION: "true" });
    const issued = await auth.signInWithIdentity(identity("sub-2", ALICE, true), LAPTOP);
    expect(issued.accessToken).toBeTruthy();
    expect((await database.db.user.findUniqueOrThrow({ where: { email: ALICE } })).emailVerifiedAt).not.toBeNull();
  });
});

describe("known browsers", () => {
  it("tells the owner of a sign-in from a browser the account has not used, and only then", async () => {
    const auth = service();
    const { tokens } = await signUp(auth);
    const laptop = { ...LAPTOP, deviceToken: tokens!.deviceToken };
    await login(auth, laptop);
    expect(sent.filter((notice) => notice.kind === "new_device")).toEqual([]);

    advance(5);
    const phone = await login(auth, PHONE);
    expect(phone.deviceToken).toMatch(/^[\w-]{43}$/);
    expect(phone.deviceToken).not.toBe(tokens!.deviceToken);
    expect(sent.filter((notice) => notice.kind === "new_device")).toEqual([{ kind: "new_device", to: ALICE, ...PHONE, at: now }]);
    await login(auth, { ...PHONE, deviceToken: phone.deviceToken });
    // A forged cookie value is replaced, and is a new browser like any other.
    const forged = await login(auth, { ...PHONE, deviceToken: "not-a-device-token" });
    expect(forged.deviceToken).not.toBe("not-a-device-token");
    expect(sent.filter((notice) => notice.kind === "new_device")).toHaveLength(2);
    const rows = await database.db.device.findMany();
    expect(rows).toHaveLength(3);
    expect(JSON.stringify(rows)).not.toContain(phone.deviceToken!);
  });

  it("tells the owner when a reused refresh token ends a session, once", async () => {
    const auth = service({ AUTH_REFRESH_REUSE_GRACE: "0" });
    const { tokens } = await signUp(auth);
    await auth.refresh(tokens!.refreshToken, LAPTOP);
    expect(await codeOf(auth.refresh(tokens!.refreshToken, PHONE))).toBe("refresh_reused");
    expect(await codeOf(auth.refresh(tokens!.refreshToken, PHONE))).toBe("refresh_reused");
    expect(sent.filter((notice) => notice.kind === "refresh_reused")).toEqual([{ kind: "refresh_reused", to: ALICE, ...PHONE, at: now }]);
  });
});
