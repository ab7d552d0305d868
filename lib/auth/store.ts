// What the auth core needs from storage, as plain data. lib/db implements it with Prisma; the core never
// sees a database client, so its rules can be read (and tested) on their own.
import type { ActivityType, SecurityEventRecord } from "./activity";
import type { EmailTokenRecord } from "./email-token";
import type { RevokeReason } from "./session";

export interface SecurityEventFilter {
  /** A fixed list from the code (never from a request): the database's parameter limit is far. */
  types?: readonly ActivityType[];
  /** Only events at or after this instant. */
  since?: Date;
}

export interface UserRecord {
  id: string;
  email: string;
  /** Null for an account made by single sign-on that never set a password. */
  passwordHash: string | null;
  /** When the owner proved the address; read by findUserByEmail and findIdentity, null when never. */
  emailVerifiedAt?: Date | null;
  /** Raised by every password change and reset; read by findUserByEmail (see CredentialCheck). */
  credentialVersion?: number;
}

/**
 * What a login verified: the account's credential version when its password was read. The session (and a
 * rehash) is written only while that version is still current, in the same transaction, so a login that
 * checked a password just replaced creates nothing.
 */
export interface CredentialCheck {
  version: number;
  /** The same password hashed with today's parameters, to store in place of the verified hash. */
  rehash?: string;
}

/** One entry of the login-failure log: a failure, or an attempt still being checked (`pending`). */
export interface LoginLogEntry {
  at: Date;
  pending: boolean;
}

/** The pending entries one attempt wrote (see AuthStore.reserveLoginAttempt). */
export interface LoginReservation {
  ids: number[];
}

/** An account at an OpenID provider, linked to one of ours: found again by (issuer, subject). */
export interface IdentityRecord {
  id: string;
  userId: string;
  issuer: string;
  subject: string;
  /** The email the provider gave when it was linked or last used (for the person's reference only). */
  email: string | null;
  linkedAt: Date;
  lastUsedAt: Date;
}

/** A new account made by single sign-on: no password, the email verified when the provider vouched for it. */
export interface NewSsoUser {
  id: string;
  email: string;
  emailVerifiedAt: Date | null;
}

export type IdentityRemoval = "removed" | "not_found" | "last_method";

export interface SessionRecord {
  id: string;
  userId: string;
  createdAt: Date;
  lastUsedAt: Date;
  absoluteExpiresAt: Date;
  idleExpiresAt: Date;
  revokedAt: Date | null;
  revokedReason: string | null;
  userAgent: string | null;
  ip: string | null;
}

export interface RefreshTokenRecord {
  id: string;
  sessionId: string;
  tokenHash: string;
  replacesId: string | null;
  /** Its place in the session's chain: the first token is 0, each successor one more. */
  generation: number;
  issuedAt: Date;
  spentAt: Date | null;
}

export type NewRefreshToken = Omit<RefreshTokenRecord, "spentAt">;

export interface SessionWithUser {
  session: SessionRecord;
  user: { id: string; email: string; emailVerified?: boolean };
}

export interface TokenWithSession {
  token: RefreshTokenRecord;
  found: SessionWithUser;
}

/** One rotation of a refresh token, written atomically (see AuthStore.rotateRefreshToken). */
export interface Rotation {
  spentId: string;
  successor: NewRefreshToken;
  now: Date;
  /** The session's idle end after the rotation (idleExpiry in session.ts). */
  idleExpiresAt: Date;
  /** Delete the session's spent tokens below this generation (spentTokensBelow), or null. */
  dropSpentBelow: number | null;
}

export interface UserSummary {
  id: string;
  email: string;
  createdAt: Date;
  liveSessions: number;
}

/** What a cleanup pass may delete: rows older than these instants, at most `limit` of each kind. */
export interface PruneRequest {
  /** Sessions that ended (revoked, past their absolute end, or idle) before this, with their refresh tokens. */
  sessionsEndedBefore: Date;
  loginFailuresBefore: Date;
  securityEventsBefore: Date;
  /** Reset and verification links that expired before this: they can never work again. */
  emailTokensExpiredBefore: Date;
  /** Remembered browsers last seen before this (their cookie is gone: see DEVICE_MEMORY_DAYS). */
  devicesUnseenBefore: Date;
  limit: number;
}

export interface PruneCounts {
  refreshTokens: number;
  sessions: number;
  loginFailures: number;
  securityEvents: number;
  emailTokens: number;
  devices: number;
}

export type SessionFilter = { sessionId: string; userId?: string } | { userId: string; exceptSessionId?: string };

/**
 * A new password for an account, with what goes with it in the same transaction: its sessions end (but
 * `keepSessionId`) and its unused reset links stop working.
 */
export interface PasswordChange {
  userId: string;
  passwordHash: string;
  /** Why the account's sessions end. */
  reason: RevokeReason;
  /** The one session that stays signed in (the person changing their own password), if any. */
  keepSessionId?: string;
  now: Date;
}

/** What the dashboard shows of an account, read together (AuthStore.readAccountOverview). */
export interface AccountOverview {
  /** As listLiveSessions. */
  sessions: SessionRecord[];
  /** As listSecurityEvents with no filter. */
  activity: SecurityEventRecord[];
  /** As listSecurityEvents with the alerts' filter. */
  alerts: SecurityEventRecord[];
  /** As listIdentities. */
  identities: IdentityRecord[];
  /** The account itself; null when it is gone. */
  user: UserRecord | null;
}

export interface AuthStore {
  findUserByEmail(email: string): Promise<UserRecord | null>;
  /** Returns null when the email is taken. */
  createUser(user: UserRecord, now: Date): Promise<UserRecord | null>;
  /** Every account, oldest first, with its number of live sessions. */
  listUsers(now: Date): Promise<UserSummary[]>;
  /** Revokes every session not yet revoked, of every account, in one statement; returns how many. */
  revokeAllSessions(reason: RevokeReason, now: Date): Promise<number>;

  /** The identity with this (issuer, subject) and its account. */
  findIdentity(issuer: string, subject: string): Promise<{ identity: IdentityRecord; user: UserRecord } | null>;
  /** Links an identity; false when this (issuer, subject) is linked already (to any account). */
  addIdentity(identity: IdentityRecord): Promise<boolean>;
  /** Creates the account and its identity in one write; null when the email or the identity is taken. */
  createUserWithIdentity(user: NewSsoUser, identity: IdentityRecord, now: Date): Promise<UserRecord | null>;
  markIdentityUsed(identityId: string, email: string | null, now: Date): Promise<void>;
  /** The account's identities, oldest first. */
  listIdentities(userId: string): Promise<IdentityRecord[]>;
  /**
   * Unlinks one of the account's identities unless it is the account's last way to sign in (no password
   * and no other identity). Decided and done in one transaction that locks the account's row, so two
   * concurrent unlinks cannot both pass the check.
   */
  removeIdentity(userId: string, identityId: string, now: Date): Promise<IdentityRemoval>;
  /**
   * Stores a new session and its first token. When the account then has more than `maxLiveSessions` live
   * sessions, the least recently used ones beyond that end ("session_limit"), in the same transaction;
   * returns how many ended. With `credential` (a password login), the account's credential version is
   * checked in that transaction first, holding the account's row until it commits, and a rehash is
   * stored with it: null, and nothing written, when the version is no longer the one verified.
   */
  createSession(session: SessionRecord, firstToken: NewRefreshToken, maxLiveSessions: number, credential?: CredentialCheck): Promise<number | null>;
  findSession(sessionId: string): Promise<SessionWithUser | null>;
  listLiveSessions(userId: string, now: Date): Promise<SessionRecord[]>;
  /**
   * Revokes the live sessions that match, by condition in one statement (never a list of ids, which
   * would grow with the account); returns how many it revoked.
   */
  revokeSessions(filter: SessionFilter, reason: RevokeReason, now: Date): Promise<number>;
  /**
   * Sets the password hash, raises the credential version and revokes the account's sessions (all but
   * `keepSessionId`), in one transaction: a new password never lives beside the sessions it should end.
   * Returns how many sessions it revoked.
   */
  updatePasswordAndRevoke(change: PasswordChange): Promise<number>;

  findRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | null>;
  /** Any one stored token among these hashes (a bounded list: see REUSE_WALK_STEPS). */
  findRefreshTokenAmong(tokenHashes: string[]): Promise<RefreshTokenRecord | null>;
  /** A refresh token with its session and user, by the token's hash. */
  findRefreshTokenWithSession(tokenHash: string): Promise<TokenWithSession | null>;
  /**
   * As one atomic write: spends the token if nobody has yet, inserts its successor, moves the session's
   * idle expiry (and drops old spent tokens when asked). Answers whether this call won: false, and nothing
   * written, when the token was already spent.
   */
  rotateRefreshToken(rotation: Rotation): Promise<boolean>;

  /**
   * One short transaction that takes each subject in turn (on every instance that shares the database):
   * reads the subjects' log entries newer than `since`, asks `admit` (0 = admit, else the seconds to
   * refuse for), and when admitted writes one pending entry per subject at `at`. No password is checked
   * inside it: the reservation is what makes N concurrent attempts count as N. Reservations waiting for
   * the store take turns between requesters (a login's client address), as hashes do.
   */
  reserveLoginAttempt(
    subjects: string[],
    since: Date,
    at: Date,
    admit: (log: Map<string, LoginLogEntry[]>) => number,
    requester?: string,
  ): Promise<{ reservation: LoginReservation } | { retryAfter: number }>;
  /**
   * The attempt failed: its pending entries become failures at `at`, and the account's activity event is
   * stored when the email is known, in one write: an unknown email then costs the same single commit, so
   * timing does not tell the two apart.
   */
  recordLoginFailure(reservation: LoginReservation, at: Date, event?: SecurityEventRecord): Promise<void>;
  /** The attempt succeeded: its entries go, and so do the failures of `subject` (the count resets). */
  clearLoginFailures(reservation: LoginReservation, subject: string): Promise<void>;
  /** The attempt was never checked (the hashing queue was full, an error): its entries go. */
  releaseLoginAttempt(reservation: LoginReservation): Promise<void>;

  addSecurityEvents(events: SecurityEventRecord[]): Promise<void>;
  /** The user's most recent events, newest first; with `filter`, only those of its types and time. */
  listSecurityEvents(userId: string, limit: number, filter?: SecurityEventFilter): Promise<SecurityEventRecord[]>;
  /**
   * The reads of the page people open most, at once (one round trip on PostgreSQL): the account's live
   * sessions at `now`, its latest `activityLimit` events, `alerts.limit` events that pass `alerts.filter`,
   * its identities and the account.
   */
  readAccountOverview(
    userId: string,
    now: Date,
    activityLimit: number,
    alerts: { limit: number; filter: SecurityEventFilter },
  ): Promise<AccountOverview>;
  /**
   * Remembers that the user signed in from the browser whose device cookie hashes to `tokenHash`: "known"
   * when it had before, "first" when the account knew no browser yet, "new" otherwise.
   */
  rememberDevice(userId: string, tokenHash: string, now: Date): Promise<"known" | "first" | "new">;

  /** Stores a link's token; `replaceOlder` first spends the account's unused links of that purpose, in one transaction. */
  issueEmailToken(record: EmailTokenRecord, options: { replaceOlder: boolean }): Promise<void>;
  findEmailToken(tokenHash: string): Promise<EmailTokenRecord | null>;
  /**
   * One transaction: spends the reset token if it is still unused and unexpired (a conditional update, so
   * of concurrent resets with one token exactly one gets past it), then what updatePasswordAndRevoke does
   * for every session, marks the address verified (the link reached it) and spends every other reset link
   * of the account. Null, and nothing written, when the token was not usable.
   */
  resetPassword(tokenHash: string, passwordHash: string, now: Date): Promise<{ user: UserRecord } | null>;
  /**
   * Spends the verification token if usable and marks the account's address verified when it is still the
   * address the link was sent to. Null when the token was not usable.
   */
  verifyEmail(tokenHash: string, now: Date): Promise<{ userId: string } | null>;

  /** One bounded cleanup pass; see PruneRequest. */
  prune(request: PruneRequest): Promise<PruneCounts>;
}
