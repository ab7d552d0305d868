// Account administration for operators (`npm run admin`): the same rules as the API (input schemas,
// password policy, argon2id, revocation, activity), without HTTP and without tokens: nothing here signs
// anyone in, so no signing secret is needed.
import { randomUUID } from "node:crypto";
import { levelOf, logEntryOf, securityEvent, silentLogger, type AuthLogger, type SecurityEventRecord } from "./activity";
import type { AuthConfig } from "./config";
import { AuthError } from "./errors";
import { normalizeEmail, registerInput } from "./input";
import { hashPassword } from "./password";
import { hasMoreWork, pruneOnce } from "./retention";
import { inProcessFeed, type RevocationFeed } from "./revocation-feed";
import type { RevokeReason } from "./session";
import { NO_CLIENT, type Clock, type PublicUser } from "./types";
import type { AuthStore, PruneCounts, UserSummary } from "./store";

export interface AccountAdminDeps {
  store: AuthStore;
  config: AuthConfig;
  clock?: Clock;
  log?: AuthLogger;
  /** Where revocations are announced, so that running servers drop their cached sessions at once. */
  feed?: RevocationFeed;
}

/** Safety net for `cleanup`: a backlog larger than this many passes is left for the next run. */
const MAX_CLEANUP_PASSES = 10_000;

export class AccountAdmin {
  private readonly store: AuthStore;
  private readonly config: AuthConfig;
  private readonly now: Clock;
  private readonly log: AuthLogger;
  private readonly feed: RevocationFeed;

  constructor(deps: AccountAdminDeps) {
    this.store = deps.store;
    this.config = deps.config;
    this.now = deps.clock ?? (() => new Date());
    this.log = deps.log ?? silentLogger;
    this.feed = deps.feed ?? inProcessFeed();
  }

  /** Creates an account with a password that meets the policy. Works when sign-up is turned off. */
  async addUser(email: string, password: string): Promise<PublicUser> {
    const input = parseAccount(email, password);
    const now = this.now();
    const user = await this.store.createUser(
      { id: randomUUID(), email: input.email, passwordHash: await hashPassword(input.password) },
      now,
    );
    if (!user) throw new AuthError("email_taken");
    await this.record(securityEvent("account_created", user.id, NO_CLIENT, now));
    return { id: user.id, email: user.email };
  }

  listUsers(): Promise<UserSummary[]> {
    return this.store.listUsers(this.now());
  }

  /** Sets a new password and ends every session of the account: whoever knew the old one is out. */
  async resetPassword(email: string, password: string): Promise<{ user: PublicUser; sessionsEnded: number }> {
    const input = parseAccount(email, password);
    const user = await this.findUser(input.email);
    const now = this.now();
    const passwordHash = await hashPassword(input.password);
    const sessionsEnded = await this.store.updatePasswordAndRevoke({ userId: user.id, passwordHash, reason: "admin_password_reset", now });
    await this.feed.publish({ userId: user.id });
    await this.record(securityEvent("password_reset", user.id, NO_CLIENT, now));
    return { user, sessionsEnded };
  }

  /** Signs the account out everywhere. */
  async endSessions(email: string): Promise<{ user: PublicUser; sessionsEnded: number }> {
    const user = await this.findUser(normalizeEmail(email));
    const now = this.now();
    const sessionsEnded = await this.endAll(user, "admin_end_sessions", now);
    await this.record(securityEvent("sessions_ended", user.id, NO_CLIENT, now));
    return { user, sessionsEnded };
  }

  /**
   * Signs every account out on every device, for the day AUTH_SECRET leaks: with a copy of the database
   * and the secret, anyone can follow a session's chain of refresh tokens (README, "Rotating the signing
   * secret"), so every session must end. One statement, however many sessions there are.
   */
  async endAllSessions(): Promise<number> {
    const now = this.now();
    const sessions = await this.store.revokeAllSessions("admin_end_all_sessions", now);
    await this.feed.publish({ all: true });
    this.log({ event: "all_sessions_ended", level: levelOf("all_sessions_ended"), at: now, sessions });
    return sessions;
  }

  /** Cleanup passes until the backlog is gone; each pass is bounded like the scheduled ones. */
  async cleanup(): Promise<PruneCounts> {
    const total: PruneCounts = { refreshTokens: 0, sessions: 0, loginFailures: 0, securityEvents: 0, emailTokens: 0, devices: 0 };
    for (let pass = 0; pass < MAX_CLEANUP_PASSES; pass++) {
      const removed = await pruneOnce(this.store, this.config, this.now(), this.log);
      for (const key of Object.keys(total) as (keyof PruneCounts)[]) total[key] += removed[key];
      if (!hasMoreWork(removed, this.config)) break;
    }
    return total;
  }

  private async findUser(email: string): Promise<PublicUser> {
    const user = await this.store.findUserByEmail(email);
    if (!user) throw new AuthError("not_found", { message: `No account has the email ${email}.` });
    return { id: user.id, email: user.email };
  }

  private async endAll(user: PublicUser, reason: RevokeReason, now: Date): Promise<number> {
    const ended = await this.store.revokeSessions({ userId: user.id }, reason, now);
    await this.feed.publish({ userId: user.id });
    return ended;
  }

  private async record(event: SecurityEventRecord): Promise<void> {
    await this.store.addSecurityEvents([event]);
    this.log(logEntryOf(event));
  }
}

/** The API's own rules for an email and a new password: the same messages as on the sign-up form. */
function parseAccount(email: string, password: string): { email: string; password: string } {
  const parsed = registerInput.safeParse({ email, password });
  if (!parsed.success) {
    throw new AuthError("invalid_input", { message: parsed.error.issues[0]?.message ?? "The input is not valid." });
  }
  return parsed.data;
}
