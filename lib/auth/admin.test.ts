// AccountAdmin over a real, migrated database (SQLite; PostgreSQL in the unit-pg project): ending every
// session of every account at once, at a real size, as the day after AUTH_SECRET leaked needs it.
import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTempDatabase, type TempDatabase } from "../../tests/support/temp-database";
import { importSigningKey } from "./access-token";
import type { AuthLogEntry } from "./activity";
import { AccountAdmin } from "./admin";
import { loadAuthConfig } from "./config";
import { loginInput, passwordResetInput, registerInput } from "./input";
import type { AccountNotice } from "./notices";
import { AuthService } from "./service";
import { NO_CLIENT, type IssuedTokens } from "./types";

const SECRET = "admin-test-secret-that-is-over-32-bytes-long";
const PASSWORD = "correct horse battery";
/** More sessions than SQLite's 999 bound parameters: a revocation by id list would fail here. */
const EXTRA_SESSIONS = 1_500;

let database: TempDatabase;

beforeEach(() => {
  database = openTempDatabase();
});
afterEach(async () => {
  await database.dispose();
});

async function service(notify?: (notice: AccountNotice) => void): Promise<AuthService> {
  return new AuthService({ config: loadAuthConfig({}), store: database.store, signingKey: await importSigningKey(SECRET), secret: SECRET, notify });
}

describe("end-all-sessions", () => {
  it("revokes every live session of every account in one go, and a second run finds none", async () => {
    const auth = await service();
    const people: IssuedTokens[] = [];
    for (const name of ["ann", "bob", "cy"]) {
      people.push(await auth.register(registerInput.parse({ email: `${name}@example.com`, password: PASSWORD }), NO_CLIENT));
    }
    const now = new Date();
    const later = new Date(now.getTime() + 86_400_000);
    await database.db.session.createMany({
      data: Array.from({ length: EXTRA_SESSIONS }, (_, i) => ({
        id: randomUUID(),
        userId: people[i % people.length]!.user.id,
        createdAt: now,
        lastUsedAt: now,
        absoluteExpiresAt: later,
        idleExpiresAt: later,
      })),
    });
    const log: AuthLogEntry[] = [];
    const admin = new AccountAdmin({ store: database.store, config: loadAuthConfig({}), log: (entry) => log.push(entry) });

    expect(await admin.endAllSessions()).toBe(EXTRA_SESSIONS + people.length);

    expect(await database.db.session.count({ where: { revokedAt: null } })).toBe(0);
    expect(await database.db.session.count({ where: { revokedReason: "admin_end_all_sessions" } })).toBe(EXTRA_SESSIONS + people.length);
    // What each person's devices then get: refresh refused as revoked, the access token refused too (a
    // fresh service: no liveness answer cached from before).
    const after = await service();
    for (const person of people) {
      await expect(after.refresh(person.refreshToken, NO_CLIENT)).rejects.toMatchObject({ code: "refresh_revoked" });
      await expect(after.authenticate(person.accessToken)).rejects.toMatchObject({ status: 401 });
    }
    expect(log).toEqual([expect.objectContaining({ event: "all_sessions_ended", level: "warn", sessions: EXTRA_SESSIONS + people.length })]);
    expect(await admin.endAllSessions()).toBe(0);
  });
});

describe("reset-password", () => {
  it("voids the reset links sent before it, so an old link cannot set the password back", async () => {
    const sent: AccountNotice[] = [];
    const auth = await service((notice) => sent.push(notice));
    const email = "dee@example.com";
    await auth.register(registerInput.parse({ email, password: PASSWORD }), NO_CLIENT);
    await auth.requestPasswordReset(email); // e.g. requested by whoever had the mailbox before the admin stepped in
    const link = sent.find((notice) => notice.kind === "password_reset_link");
    if (!link || !("token" in link)) throw new Error("no reset link was sent");

    const admin = new AccountAdmin({ store: database.store, config: loadAuthConfig({}) });
    await admin.resetPassword(email, "the administrator's new passphrase");

    expect(await auth.isResetLinkUsable(link.token)).toBe(false);
    await expect(auth.resetPassword(passwordResetInput.parse({ token: link.token, newPassword: "an attacker's passphrase" }))).rejects.toMatchObject({
      code: "reset_invalid",
    });
    const signedIn = await auth.login(loginInput.parse({ email, password: "the administrator's new passphrase" }), NO_CLIENT);
    expect(signedIn.user.email).toBe(email);
  });
});
