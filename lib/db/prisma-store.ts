// The auth store on Prisma, for SQLite and PostgreSQL alike. Each method is one query or one short
// transaction; the few places where the two databases need different SQL say why. The hot paths, reading a
// session or a refresh token, rotating a token, a password login's writes and the dashboard's reads, go
// straight through the driver (session-queries.ts).
import { randomUUID } from "node:crypto";
import { isActivityType, type SecurityEventRecord } from "../auth/activity";
import type { EmailTokenPurpose, EmailTokenRecord } from "../auth/email-token";
import type {
  AccountOverview,
  AuthStore,
  CredentialCheck,
  IdentityRecord,
  IdentityRemoval,
  LoginLogEntry,
  LoginReservation,
  NewSsoUser,
  NewRefreshToken,
  PasswordChange,
  PruneCounts,
  PruneRequest,
  Rotation,
  SecurityEventFilter,
  SessionFilter,
  SessionRecord,
  SessionWithUser,
  UserRecord,
  UserSummary,
} from "../auth/store";
import { RequesterTurns } from "../auth/turns";
import { liveSessionFilter, sessionEndedBeforeFilter, type RevokeReason } from "../auth/session";
import type { AuthModels } from "./auth-db";
import type { Database } from "./client";
import { DELETE_CHUNK } from "./session-queries";

/**
 * Reservations in flight at once per instance. One may wait inside its transaction for another's lock (a
 * flood from one address all takes that address's lock), and such waits must never hold more than a few
 * of the pool's connections: the rest stay free for everyone else's requests.
 */
const CONCURRENT_RESERVATIONS = 2;

/**
 * At most `limit` tasks at once, the others waiting in turns between requesters (RequesterTurns, as the
 * hashing queue): a flood from one address waits behind its own backlog, not everyone else.
 */
class Turns {
  private running = 0;
  private readonly waiting = new RequesterTurns<() => void>();

  constructor(private readonly limit: number) {}

  async run<T>(requester: string, task: () => Promise<T>): Promise<T> {
    if (this.running < this.limit) this.running++;
    else await new Promise<void>((resolve) => this.waiting.push(requester, resolve)); // a finishing task hands over its turn
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/** A type this version does not know (written by a newer one) is left out rather than mislabelled. */
function knownEvents(rows: (Omit<SecurityEventRecord, "type"> & { type: string })[]): SecurityEventRecord[] {
  return rows.flatMap((row) => (isActivityType(row.type) ? [{ ...row, type: row.type }] : []));
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}

/** One UPDATE by condition: its parameters are the filter's, however many sessions it ends. */
async function revokeWhere(db: AuthModels, filter: SessionFilter, reason: RevokeReason, now: Date): Promise<number> {
  const where =
    "sessionId" in filter
      ? { id: filter.sessionId, userId: filter.userId, revokedAt: null }
      : { userId: filter.userId, id: filter.exceptSessionId ? { not: filter.exceptSessionId } : undefined, revokedAt: null };
  const { count } = await db.session.updateMany({ where, data: { revokedAt: now, revokedReason: reason } });
  return count;
}


/** A table `prune` empties, as Prisma's delegate for it offers it. */
interface PrunableTable<Where, Id> {
  findMany(args: { where: Where; select: { id: true }; take: number }): PromiseLike<{ id: Id }[]>;
  deleteMany(args: { where: { id: { in: Id[] } } }): PromiseLike<{ count: number }>;
}

/** Deletes at most `limit` rows that match `where`, by primary key, `DELETE_CHUNK` at a time; returns how many went. */
async function deleteBatch<Where, Id>(table: PrunableTable<Where, Id>, where: Where, limit: number): Promise<number> {
  const ids = (await table.findMany({ where, select: { id: true }, take: limit })).map((row) => row.id);
  let removed = 0;
  for (let start = 0; start < ids.length; start += DELETE_CHUNK) {
    removed += (await table.deleteMany({ where: { id: { in: ids.slice(start, start + DELETE_CHUNK) } } })).count;
  }
  return removed;
}

export class PrismaAuthStore implements AuthStore {
  private readonly db: AuthModels;
  private readonly reservations = new Turns(CONCURRENT_RESERVATIONS);

  constructor(private readonly database: Database) {
    this.db = database.client;
  }

  async findUserByEmail(email: string): Promise<UserRecord | null> {
    return this.database.queries.findUser(email);
  }

  async createUser(user: UserRecord, now: Date): Promise<UserRecord | null> {
    try {
      await this.db.user.create({ data: { ...user, createdAt: now, updatedAt: now } });
      return user;
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  async listUsers(now: Date): Promise<UserSummary[]> {
    const rows = await this.db.user.findMany({
      select: {
        id: true,
        email: true,
        createdAt: true,
        _count: { select: { sessions: { where: liveSessionFilter(now) } } },
      },
      orderBy: { createdAt: "asc" },
    });
    return rows.map(({ _count, ...user }) => ({ ...user, liveSessions: _count.sessions }));
  }

  async revokeAllSessions(reason: RevokeReason, now: Date): Promise<number> {
    // One UPDATE by condition: no id list, so no bound-parameter limit however many sessions there are.
    return (await this.db.session.updateMany({ where: { revokedAt: null }, data: { revokedAt: now, revokedReason: reason } })).count;
  }

  async findIdentity(issuer: string, subject: string): Promise<{ identity: IdentityRecord; user: UserRecord } | null> {
    const row = await this.db.identity.findUnique({
      where: { issuer_subject: { issuer, subject } },
      include: { user: { select: { id: true, email: true, passwordHash: true, emailVerifiedAt: true } } },
    });
    if (!row) return null;
    const { user, ...identity } = row;
    return { identity, user };
  }

  async addIdentity(identity: IdentityRecord): Promise<boolean> {
    try {
      await this.db.identity.create({ data: identity });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async createUserWithIdentity(user: NewSsoUser, identity: IdentityRecord, now: Date): Promise<UserRecord | null> {
    try {
      await this.database.client.$transaction(async (tx) => {
        await tx.user.create({ data: { ...user, passwordHash: null, createdAt: now, updatedAt: now } });
        await tx.identity.create({ data: identity });
      });
      return { id: user.id, email: user.email, passwordHash: null, emailVerifiedAt: user.emailVerifiedAt };
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  async markIdentityUsed(identityId: string, email: string | null, now: Date): Promise<void> {
    await this.db.identity.update({ where: { id: identityId }, data: { lastUsedAt: now, email } });
  }

  listIdentities(userId: string): Promise<IdentityRecord[]> {
    return this.database.queries.identities(userId);
  }

  async removeIdentity(userId: string, identityId: string, now: Date): Promise<IdentityRemoval> {
    return this.database.client.$transaction(async (tx) => {
      // Writing the account's row first locks it (PostgreSQL) or takes the write lock (SQLite): a second
      // unlink for this account waits here and then counts what the first one left.
      const user = await tx.user.update({ where: { id: userId }, data: { updatedAt: now }, select: { passwordHash: true } });
      const identities = await tx.identity.findMany({ where: { userId }, select: { id: true } });
      if (!identities.some((identity) => identity.id === identityId)) return "not_found";
      if (user.passwordHash === null && identities.length <= 1) return "last_method";
      await tx.identity.delete({ where: { id: identityId } });
      return "removed";
    });
  }

  createSession(session: SessionRecord, firstToken: NewRefreshToken, maxLiveSessions: number, credential?: CredentialCheck): Promise<number | null> {
    return this.database.queries.createSession(session, firstToken, maxLiveSessions, credential);
  }

  findSession(sessionId: string): Promise<SessionWithUser | null> {
    return this.database.queries.findSession(sessionId);
  }

  listLiveSessions(userId: string, now: Date): Promise<SessionRecord[]> {
    return this.database.queries.liveSessions(userId, now);
  }

  async revokeSessions(filter: SessionFilter, reason: RevokeReason, now: Date): Promise<number> {
    return revokeWhere(this.db, filter, reason, now);
  }

  async updatePasswordAndRevoke(change: PasswordChange): Promise<number> {
    const { userId, passwordHash, reason, keepSessionId, now } = change;
    return this.database.client.$transaction(async (tx) => {
      await tx.user.update({
        where: { id: userId },
        data: { passwordHash, credentialVersion: { increment: 1 }, updatedAt: now },
      });
      // A reset link sent for the old password must not undo the new one.
      await tx.emailToken.updateMany({ where: { userId, purpose: "reset", usedAt: null }, data: { usedAt: now } });
      return revokeWhere(tx, { userId, exceptSessionId: keepSessionId }, reason, now);
    });
  }

  async findRefreshToken(tokenHash: string) {
    return (await this.database.queries.findRefreshToken(tokenHash))?.token ?? null;
  }

  async findRefreshTokenAmong(tokenHashes: string[]) {
    return this.db.refreshToken.findFirst({ where: { tokenHash: { in: tokenHashes } } });
  }

  findRefreshTokenWithSession(tokenHash: string) {
    return this.database.queries.findRefreshToken(tokenHash);
  }

  rotateRefreshToken({ spentId, successor, now, idleExpiresAt, dropSpentBelow }: Rotation): Promise<boolean> {
    return this.database.queries.rotate(spentId, successor, now, idleExpiresAt, dropSpentBelow);
  }

  reserveLoginAttempt(
    subjects: string[],
    since: Date,
    at: Date,
    admit: (log: Map<string, LoginLogEntry[]>) => number,
    requester = "",
  ): Promise<{ reservation: LoginReservation } | { retryAfter: number }> {
    return this.reservations.run(requester, () => this.database.queries.reserveLoginAttempt(subjects, since, at, admit));
  }

  recordLoginFailure(reservation: LoginReservation, at: Date, event?: SecurityEventRecord): Promise<void> {
    return this.database.queries.recordLoginFailure(reservation, at, event);
  }

  clearLoginFailures(reservation: LoginReservation, subject: string): Promise<void> {
    // Other attempts' pending entries stay: each settles its own.
    return this.database.queries.clearLoginFailures(reservation, subject);
  }

  async releaseLoginAttempt(reservation: LoginReservation): Promise<void> {
    await this.db.loginFailure.deleteMany({ where: { id: { in: reservation.ids } } });
  }

  addSecurityEvents(events: SecurityEventRecord[]): Promise<void> {
    return this.database.queries.addSecurityEvents(events);
  }

  async listSecurityEvents(userId: string, limit: number, filter: SecurityEventFilter = {}): Promise<SecurityEventRecord[]> {
    return knownEvents(await this.database.queries.securityEvents(userId, limit, filter));
  }

  async readAccountOverview(
    userId: string,
    now: Date,
    activityLimit: number,
    alerts: { limit: number; filter: SecurityEventFilter },
  ): Promise<AccountOverview> {
    const read = await this.database.queries.accountOverview(userId, now, activityLimit, alerts);
    return { ...read, activity: knownEvents(read.activity), alerts: knownEvents(read.alerts) };
  }

  rememberDevice(userId: string, tokenHash: string, now: Date): Promise<"known" | "first" | "new"> {
    return this.database.queries.rememberDevice(userId, randomUUID(), tokenHash, now);
  }

  async issueEmailToken(record: EmailTokenRecord, options: { replaceOlder: boolean }): Promise<void> {
    await this.database.client.$transaction(async (tx) => {
      if (options.replaceOlder) {
        await tx.emailToken.updateMany({
          where: { userId: record.userId, purpose: record.purpose, usedAt: null },
          data: { usedAt: record.createdAt },
        });
      }
      await tx.emailToken.create({ data: record });
    });
  }

  async findEmailToken(tokenHash: string): Promise<EmailTokenRecord | null> {
    const found = await this.db.emailToken.findUnique({ where: { tokenHash } });
    return found && (found.purpose === "reset" || found.purpose === "verify") ? { ...found, purpose: found.purpose } : null;
  }

  async resetPassword(tokenHash: string, passwordHash: string, now: Date): Promise<{ user: UserRecord } | null> {
    return this.database.client.$transaction(async (tx) => {
      const token = await this.spendIfUsable(tx, tokenHash, "reset", now);
      if (!token) return null;
      const user = await tx.user.update({
        where: { id: token.userId },
        data: { passwordHash, credentialVersion: { increment: 1 }, updatedAt: now },
        select: { id: true, email: true, passwordHash: true },
      });
      // The link reached its address: that proves the address, as a verification link would.
      await tx.user.updateMany({ where: { id: user.id, email: token.email, emailVerifiedAt: null }, data: { emailVerifiedAt: now } });
      await revokeWhere(tx, { userId: user.id }, "password_reset", now);
      await tx.emailToken.updateMany({ where: { userId: user.id, purpose: "reset", usedAt: null }, data: { usedAt: now } });
      return { user };
    });
  }

  async verifyEmail(tokenHash: string, now: Date): Promise<{ userId: string } | null> {
    return this.database.client.$transaction(async (tx) => {
      const token = await this.spendIfUsable(tx, tokenHash, "verify", now);
      if (!token) return null;
      // Only the address the link went to is proven; the first proof is the one kept.
      await tx.user.updateMany({
        where: { id: token.userId, email: token.email, emailVerifiedAt: null },
        data: { emailVerifiedAt: now, updatedAt: now },
      });
      return { userId: token.userId };
    });
  }

  /**
   * Spends a link's token with one conditional update (unused, unexpired, of this purpose): of concurrent
   * requests with one token, exactly one sees a row changed.
   */
  private async spendIfUsable(tx: AuthModels, tokenHash: string, purpose: EmailTokenPurpose, now: Date) {
    const spent = await tx.emailToken.updateMany({
      where: { tokenHash, purpose, usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
    });
    if (spent.count !== 1) return null;
    return tx.emailToken.findUnique({ where: { tokenHash }, select: { userId: true, email: true } });
  }

  /**
   * Deletes by primary key in batches of `limit` (each in chunks of DELETE_CHUNK ids), so each statement
   * is short and its parameters bounded whatever the backlog. A session's refresh tokens go first; the
   * session itself once none is left (its spent tokens are what tells a replay, "refresh_reused", from an
   * unknown token, so they live exactly as long as it).
   */
  async prune(request: PruneRequest): Promise<PruneCounts> {
    const { sessionsEndedBefore: before, limit } = request;
    const ended = sessionEndedBeforeFilter(before);
    const refreshTokens = await deleteBatch(this.db.refreshToken, { session: ended }, limit);
    const sessions = await deleteBatch(this.db.session, { ...ended, refreshTokens: { none: {} } }, limit);
    const loginFailures = await deleteBatch(this.db.loginFailure, { failedAt: { lt: request.loginFailuresBefore } }, limit);
    const securityEvents = await deleteBatch(this.db.securityEvent, { createdAt: { lt: request.securityEventsBefore } }, limit);
    const emailTokens = await deleteBatch(this.db.emailToken, { expiresAt: { lt: request.emailTokensExpiredBefore } }, limit);
    const devices = await deleteBatch(this.db.device, { lastSeenAt: { lt: request.devicesUnseenBefore } }, limit);
    return { refreshTokens, sessions, loginFailures, securityEvents, emailTokens, devices };
  }
}
