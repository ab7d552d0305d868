// The paths every signed-in request takes, as plain SQL sent straight through the driver: reading a
// session (the server-side liveness check) and redeeming a refresh token; a password login's writes (the
// attempt's reservation and settling, the new session under the cap, the browser, the activity); and the
// reads of the page people open most, the dashboard (live sessions, activity, identities, the account). Everything else goes
// through Prisma. Why: through Prisma's query engine every statement costs CPU of its own (it compiles
// each query again at every call), and a rotation was an interactive transaction of six statements,
// serialised on SQLite's one writer (the figures before and after: README, Performance). Here a read is
// one statement and a rotation one short write: one synchronous transaction on SQLite, one statement on
// PostgreSQL.
//
// Both databases hold the tables Prisma made from prisma/schema.prisma; the SQL below names its columns
// the same way. Dates are stored the way Prisma stores them: ISO 8601 text on SQLite (see sqliteDate),
// `timestamp(3)` in UTC on PostgreSQL.
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import type { SecurityEventRecord } from "../auth/activity";
import { MAX_DEVICES_PER_ACCOUNT } from "../auth/devices";
import { liveSessionSql, type RevokeReason } from "../auth/session";
import type {
  CredentialCheck,
  IdentityRecord,
  LoginLogEntry,
  LoginReservation,
  NewRefreshToken,
  SecurityEventFilter,
  SessionRecord,
  SessionWithUser,
  TokenWithSession,
  UserRecord,
} from "../auth/store";

/**
 * Rows per DELETE: a constant well within SQLite's 999 bound parameters (PostgreSQL allows 65,535), so a
 * backlog of any size (AUTH_CLEANUP_BATCH, forgotten browsers) goes in statements whose parameters and
 * rows do not grow with it. Here, beside the driver's statements, so the Prisma store builds on this file
 * and not the other way round.
 */
export const DELETE_CHUNK = 500;

export interface SessionQueries {
  /** A session with its user, by id. */
  findSession(sessionId: string): Promise<SessionWithUser | null>;
  /** A refresh token with its session and user, by the token's hash. */
  findRefreshToken(tokenHash: string): Promise<TokenWithSession | null>;
  /**
   * As one atomic write: marks `spentId` spent if nobody has yet, inserts its successor, moves the
   * session's idle expiry and, when `dropSpentBelow` is a number, deletes the session's spent tokens of a
   * lower generation (spentTokensBelow). False, and nothing written, when the token was already spent.
   */
  rotate(spentId: string, successor: NewRefreshToken, now: Date, idleExpiresAt: Date, dropSpentBelow: number | null): Promise<boolean>;
  /** A user by normalised email. */
  findUser(email: string): Promise<UserRecord | null>;
  /** A user's sessions that are neither revoked, past their absolute end, nor idle at `now`; most recently used first. */
  liveSessions(userId: string, now: Date): Promise<SessionRecord[]>;
  /** A user's security events, newest first (ties: the later insert first), at most `limit`. */
  securityEvents(userId: string, limit: number, filter: SecurityEventFilter): Promise<EventRow[]>;
  /** A user's linked identities, the oldest link first. */
  identities(userId: string): Promise<IdentityRecord[]>;
  /**
   * The dashboard's reads, each as the method above names it: liveSessions, securityEvents (the latest
   * `activityLimit`, then the alerts), identities, and the user by id. One statement on PostgreSQL.
   */
  accountOverview(userId: string, now: Date, activityLimit: number, alerts: { limit: number; filter: SecurityEventFilter }): Promise<OverviewRows>;

  // A password login's writes: each as AuthStore says (lib/auth/store.ts), in as few statements as it allows.
  reserveLoginAttempt(subjects: string[], since: Date, at: Date, admit: (log: Map<string, LoginLogEntry[]>) => number): Promise<{ reservation: LoginReservation } | { retryAfter: number }>;
  /** One transaction either way: a known email costs the same single commit as an unknown one. */
  recordLoginFailure(reservation: LoginReservation, at: Date, event?: SecurityEventRecord): Promise<void>;
  clearLoginFailures(reservation: LoginReservation, subject: string): Promise<void>;
  createSession(session: SessionRecord, firstToken: NewRefreshToken, maxLiveSessions: number, credential?: CredentialCheck): Promise<number | null>;
  rememberDevice(userId: string, deviceId: string, tokenHash: string, now: Date): Promise<"known" | "first" | "new">;
  addSecurityEvents(events: SecurityEventRecord[]): Promise<void>;
}

type EventRow = Omit<SecurityEventRecord, "type"> & { type: string };

export interface OverviewRows {
  sessions: SessionRecord[];
  activity: EventRow[];
  alerts: EventRow[];
  identities: IdentityRecord[];
  user: UserRecord | null;
}

const SESSION_COLUMNS = `s."id" AS "sessionId", s."userId", s."createdAt", s."lastUsedAt", s."absoluteExpiresAt",
  s."idleExpiresAt", s."revokedAt", s."revokedReason", s."userAgent", s."ip", u."email",
  u."emailVerifiedAt"`;
const TOKEN_COLUMNS = `t."id" AS "tokenId", t."tokenHash", t."replacesId", t."generation", t."issuedAt", t."spentAt"`;
const SESSION_FROM = `FROM "Session" s JOIN "User" u ON u."id" = s."userId"`;
const TOKEN_FROM = `FROM "RefreshToken" t JOIN "Session" s ON s."id" = t."sessionId" JOIN "User" u ON u."id" = s."userId"`;

// The statements both databases run, in PostgreSQL's notation; each parameter is used once and in order,
// so SQLite takes the same text with `?` (see forSqlite).
export const SESSION_BY_ID = `SELECT ${SESSION_COLUMNS} ${SESSION_FROM} WHERE s."id" = $1`;
const TOKEN_BY_HASH = `SELECT ${TOKEN_COLUMNS}, ${SESSION_COLUMNS} ${TOKEN_FROM} WHERE t."tokenHash" = $1`;
const USER_COLUMNS = `"id", "email", "passwordHash", "emailVerifiedAt", "credentialVersion"`;
const USER_BY_EMAIL = `SELECT ${USER_COLUMNS} FROM "User" WHERE "email" = $1`;
const USER_BY_ID = `SELECT ${USER_COLUMNS} FROM "User" WHERE "id" = $1`;
const LIVE_SESSIONS = `SELECT "id", "userId", "createdAt", "lastUsedAt", "absoluteExpiresAt", "idleExpiresAt", "revokedAt",
  "revokedReason", "userAgent", "ip" FROM "Session"
  WHERE "userId" = $1 AND ${liveSessionSql("$2", "$3")} ORDER BY "lastUsedAt" DESC`;
const IDENTITIES = `SELECT "id", "userId", "issuer", "subject", "email", "linkedAt", "lastUsedAt" FROM "Identity"
  WHERE "userId" = $1 ORDER BY "linkedAt" ASC, "id" ASC`;
/**
 * A user's security events with the optional filters that are set. `typeIn` tests "type" against one
 * parameter holding the whole list (a JSON array on SQLite, an array on PostgreSQL); the values go in the
 * order of the placeholders: user, types, since, limit.
 */
function securityEventsSql(filter: SecurityEventFilter, typeIn: (placeholder: string) => string): string {
  let next = 1;
  const placeholder = () => `$${next++}`;
  const where = [`"userId" = ${placeholder()}`];
  if (filter.types) where.push(`"type" ${typeIn(placeholder())}`);
  if (filter.since) where.push(`"createdAt" >= ${placeholder()}`);
  return `SELECT "userId", "type", "createdAt", "ip", "userAgent", "sessionId" FROM "SecurityEvent" WHERE ${where.join(" AND ")}
  ORDER BY "createdAt" DESC, "id" DESC LIMIT ${placeholder()}`;
}
/** The values of a securityEventsSql statement, in its order. */
function eventsParameters(userId: string, limit: number, filter: SecurityEventFilter, list: (types: readonly string[]) => unknown, at: (date: Date) => string) {
  return [userId, ...(filter.types ? [list(filter.types)] : []), ...(filter.since ? [at(filter.since)] : []), limit];
}
/** One statement per combination of the optional filters: its cache key. */
const eventsShape = (filter: SecurityEventFilter) => `${filter.types ? "types" : ""}${filter.since ? "since" : ""}`;

const DROP_SPENT = `DELETE FROM "RefreshToken" WHERE "sessionId" = $1 AND "generation" < $2 AND "spentAt" IS NOT NULL`;

// A password login's statements. `subjectIn` tests "subject" against one parameter holding the list, as
// securityEventsSql's typeIn.
const loginLogSql = (subjectIn: string) =>
  `SELECT "subject", "failedAt", "pending" FROM "LoginFailure" WHERE "subject" ${subjectIn} AND "failedAt" > $2`;
const INSERT_SESSION = `INSERT INTO "Session" ("id", "userId", "createdAt", "lastUsedAt", "absoluteExpiresAt", "idleExpiresAt",
  "revokedAt", "revokedReason", "userAgent", "ip") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`;
const INSERT_FIRST_TOKEN = `INSERT INTO "RefreshToken" ("id", "sessionId", "tokenHash", "replacesId", "generation", "issuedAt", "spentAt")
  VALUES ($1, $2, $3, $4, $5, $6, $7)`;
/**
 * The credential check of createSession (a conditional write, not a read: it holds the account's row on
 * PostgreSQL, SQLite's write lock is held by the transaction already), the rehash riding on its condition.
 */
const CHECK_CREDENTIAL = `UPDATE "User" SET "credentialVersion" = $1 WHERE "id" = $2 AND "credentialVersion" = $3`;
const CHECK_CREDENTIAL_AND_REHASH = `UPDATE "User" SET "passwordHash" = $1, "updatedAt" = $2 WHERE "id" = $3 AND "credentialVersion" = $4`;
/**
 * Ends the account's live sessions used less recently than the last one the cap keeps (the new session,
 * already inserted, is among those counted and is never ended). One indexed read for an account under the cap.
 */
const END_BEYOND_CAP = `WITH last_kept AS (
  SELECT "id", "lastUsedAt" FROM "Session" WHERE "userId" = $1 AND ${liveSessionSql("$2", "$3")}
  ORDER BY "lastUsedAt" DESC, "id" DESC LIMIT 1 OFFSET $4
)
UPDATE "Session" SET "revokedAt" = $5, "revokedReason" = $6
WHERE "userId" = $7 AND "id" <> $8 AND ${liveSessionSql("$9", "$10")} AND EXISTS (SELECT 1 FROM last_kept) AND (
  "lastUsedAt" < (SELECT "lastUsedAt" FROM last_kept)
  OR ("lastUsedAt" = (SELECT "lastUsedAt" FROM last_kept) AND "id" < (SELECT "id" FROM last_kept)))`;
const SESSION_LIMIT: RevokeReason = "session_limit";
const SEEN_DEVICE = `UPDATE "Device" SET "lastSeenAt" = $1 WHERE "userId" = $2 AND "tokenHash" = $3`;
const KNOWS_A_DEVICE = `SELECT EXISTS (SELECT 1 FROM "Device" WHERE "userId" = $1) AS "known"`;
/** The same browser signing in twice at once inserts once: the second finds nothing inserted and is "known". */
const INSERT_DEVICE = `INSERT INTO "Device" ("id", "userId", "tokenHash", "createdAt", "lastSeenAt") VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT ("userId", "tokenHash") DO NOTHING`;
/** Beyond the cap the least recently seen are forgotten: by condition, so no id list grows with the backlog. */
const FORGET_DEVICES = `DELETE FROM "Device" WHERE "id" IN (
  SELECT "id" FROM "Device" WHERE "userId" = $1 ORDER BY "lastSeenAt" DESC, "id" DESC LIMIT $2 OFFSET $3)`;
const insertEventsSql = (count: number, placeholder: () => string) =>
  `INSERT INTO "SecurityEvent" ("userId", "type", "createdAt", "ip", "userAgent", "sessionId") VALUES ${Array.from(
    { length: count },
    () => `(${Array.from({ length: 6 }, placeholder).join(", ")})`,
  ).join(", ")}`;
/** Placeholders $first, … in order, for statements whose length depends on their input. */
function numbered(first = 1): () => string {
  let next = first;
  return () => `$${next++}`;
}

function loginLogOf(rows: Row[], date: DateOf): Map<string, LoginLogEntry[]> {
  const log = new Map<string, LoginLogEntry[]>();
  for (const row of rows) {
    const subject = row.subject as string;
    log.set(subject, [...(log.get(subject) ?? []), { at: date(row.failedAt), pending: Boolean(row.pending) }]);
  }
  return log;
}

/** The values of INSERT_SESSION and INSERT_FIRST_TOKEN, dates written with `at`. */
function sessionValues(session: SessionRecord, at: (date: Date) => string): unknown[] {
  const { id, userId, createdAt, lastUsedAt, absoluteExpiresAt, idleExpiresAt, revokedAt, revokedReason, userAgent, ip } = session;
  return [id, userId, at(createdAt), at(lastUsedAt), at(absoluteExpiresAt), at(idleExpiresAt), revokedAt && at(revokedAt), revokedReason, userAgent, ip];
}
function firstTokenValues(token: NewRefreshToken, at: (date: Date) => string): unknown[] {
  return [token.id, token.sessionId, token.tokenHash, token.replacesId, token.generation, at(token.issuedAt), null];
}
function credentialValues(userId: string, credential: CredentialCheck, now: string): unknown[] {
  return credential.rehash
    ? [credential.rehash, now, userId, credential.version]
    : [credential.version, userId, credential.version];
}
function capValues(session: SessionRecord, maxLiveSessions: number, now: string): unknown[] {
  return [session.userId, now, now, maxLiveSessions - 1, now, SESSION_LIMIT, session.userId, session.id, now, now];
}
function eventValues(events: SecurityEventRecord[], at: (date: Date) => string): unknown[] {
  return events.flatMap((event) => [event.userId, event.type, at(event.createdAt), event.ip, event.userAgent, event.sessionId]);
}

type Row = Record<string, unknown>;
type DateOf = (value: unknown) => Date;

function sessionRecordOf(row: Row, date: DateOf, id = row.id as string): SessionRecord {
  const optionalDate = (value: unknown) => (value === null ? null : date(value));
  return {
    id,
    userId: row.userId as string,
    createdAt: date(row.createdAt),
    lastUsedAt: date(row.lastUsedAt),
    absoluteExpiresAt: date(row.absoluteExpiresAt),
    idleExpiresAt: date(row.idleExpiresAt),
    revokedAt: optionalDate(row.revokedAt),
    revokedReason: row.revokedReason as string | null,
    userAgent: row.userAgent as string | null,
    ip: row.ip as string | null,
  };
}

function identityOf(row: Row, date: DateOf): IdentityRecord {
  return {
    id: row.id as string,
    userId: row.userId as string,
    issuer: row.issuer as string,
    subject: row.subject as string,
    email: row.email as string | null,
    linkedAt: date(row.linkedAt),
    lastUsedAt: date(row.lastUsedAt),
  };
}

function userOf(row: Row, date: DateOf): UserRecord {
  return {
    id: row.id as string,
    email: row.email as string,
    passwordHash: row.passwordHash as string | null,
    emailVerifiedAt: row.emailVerifiedAt === null ? null : date(row.emailVerifiedAt),
    credentialVersion: Number(row.credentialVersion),
  };
}

function eventOf(row: Row, date: DateOf) {
  return {
    userId: row.userId as string,
    type: row.type as string,
    createdAt: date(row.createdAt),
    ip: row.ip as string | null,
    userAgent: row.userAgent as string | null,
    sessionId: row.sessionId as string | null,
  };
}

function forSqlite(sql: string): string {
  return sql.replace(/\$\d+/g, "?");
}

function sessionOf(row: Row, date: DateOf): SessionWithUser {
  return {
    session: sessionRecordOf(row, date, row.sessionId as string),
    user: { id: row.userId as string, email: row.email as string, emailVerified: row.emailVerifiedAt !== null },
  };
}

function tokenWithSessionOf(row: Row, date: DateOf): TokenWithSession {
  return {
    token: {
      id: row.tokenId as string,
      sessionId: row.sessionId as string,
      tokenHash: row.tokenHash as string,
      replacesId: row.replacesId as string | null,
      generation: Number(row.generation),
      issuedAt: date(row.issuedAt),
      spentAt: row.spentAt === null ? null : date(row.spentAt),
    },
    found: sessionOf(row, date),
  };
}

// ---- SQLite --------------------------------------------------------------------------------------------

/** Prisma's SQLite adapter stores a DateTime as ISO 8601 text with "+00:00"; its range queries compare text. */
export function sqliteDate(date: Date): string {
  return date.toISOString().replace("Z", "+00:00");
}

/** Statements by the number of rows they insert (one or two events), prepared at first use. */
function byCount<S>(make: (count: number) => S): (count: number) => S {
  const made = new Map<number, S>();
  return (count) => {
    let statement = made.get(count);
    if (!statement) made.set(count, (statement = make(count)));
    return statement;
  };
}

/** How long a statement keeps trying while another connection holds SQLite's write lock (as Prisma's). */
export const SQLITE_BUSY_WAIT_MS = 5_000;
const SQLITE_BUSY_RETRY_MS = 2;

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "SQLITE_BUSY" || code === "SQLITE_BUSY_SNAPSHOT" || code === "SQLITE_LOCKED";
}

/**
 * A connection of its own next to Prisma's, on the same file (in WAL mode, so reads never wait for a
 * writer). Its busy timeout is 0 and a busy statement is retried after a timer instead: better-sqlite3 is
 * synchronous, and waiting inside it would stop the event loop, the very loop on which Prisma must finish
 * the transaction that holds the lock.
 *
 * For the same reason its commits do not wait for the disk (`synchronous = NORMAL`): with the default
 * (FULL) every commit was an fsync of the WAL on the event loop, and every other request waited for the
 * disk with it. In WAL mode NORMAL is still atomic and safe from corruption, and a commit survives a crash
 * of the app; only a power loss or a crash of the machine can roll back the last commits made here before
 * the next sync (any commit of Prisma's connection, which keeps FULL, or a checkpoint): rotations (that
 * person's next refresh is then refused, `refresh_invalid`, and they sign in again), a login's writes
 * (its attempts, its new session, the sessions its cap ended, its device) and activity rows. Revocations that
 * someone asked for (sign-out, device revoke, password change or reset, reuse detection) go through Prisma.
 */
export function sqliteSessionQueries(url: string): SessionQueries & { close(): void } {
  const date: DateOf = (value) => new Date(value as string);
  let connection: ReturnType<typeof prepare> | undefined;

  function prepare() {
    const db = new BetterSqlite3(url.replace(/^file:/, ""), { timeout: 0 });
    db.pragma("synchronous = NORMAL");
    const spend = db.prepare(`UPDATE "RefreshToken" SET "spentAt" = ? WHERE "id" = ? AND "spentAt" IS NULL`);
    const insertToken = db.prepare(
      `INSERT INTO "RefreshToken" ("id", "sessionId", "tokenHash", "replacesId", "generation", "issuedAt") VALUES (?, ?, ?, ?, ?, ?)`,
    );
    const dropSpent = db.prepare(forSqlite(DROP_SPENT));
    const touchSession = db.prepare(`UPDATE "Session" SET "lastUsedAt" = ?, "idleExpiresAt" = ? WHERE "id" = ?`);
    const events = new Map<string, BetterSqlite3.Statement>();
    const ids = (reservation: LoginReservation) => JSON.stringify(reservation.ids);
    const loginLog = db.prepare(forSqlite(loginLogSql("IN (SELECT value FROM json_each($1))")));
    const insertAttempt = db.prepare(`INSERT INTO "LoginFailure" ("subject", "failedAt", "pending") VALUES (?, ?, 1)`);
    const settleAttempts = db.prepare(`UPDATE "LoginFailure" SET "failedAt" = ?, "pending" = 0 WHERE "id" IN (SELECT value FROM json_each(?))`);
    const clearAttempts = db.prepare(
      `DELETE FROM "LoginFailure" WHERE "id" IN (SELECT value FROM json_each(?)) OR ("subject" = ? AND "pending" = 0)`,
    );
    const insertEvents = byCount((count) => db.prepare(forSqlite(insertEventsSql(count, numbered()))));
    const addEvents = (records: SecurityEventRecord[]) => {
      if (records.length > 0) insertEvents(records.length).run(...eventValues(records, sqliteDate));
    };
    const checkCredential = db.prepare(forSqlite(CHECK_CREDENTIAL));
    const checkCredentialAndRehash = db.prepare(forSqlite(CHECK_CREDENTIAL_AND_REHASH));
    const insertSession = db.prepare(forSqlite(INSERT_SESSION));
    const insertFirstToken = db.prepare(forSqlite(INSERT_FIRST_TOKEN));
    const endBeyondCap = db.prepare(forSqlite(END_BEYOND_CAP));
    const seenDevice = db.prepare(forSqlite(SEEN_DEVICE));
    const knowsADevice = db.prepare(forSqlite(KNOWS_A_DEVICE));
    const insertDevice = db.prepare(forSqlite(INSERT_DEVICE));
    const forgetDevices = db.prepare(forSqlite(FORGET_DEVICES));
    return {
      db,
      userByEmail: db.prepare(forSqlite(USER_BY_EMAIL)),
      userById: db.prepare(forSqlite(USER_BY_ID)),
      liveSessions: db.prepare(forSqlite(LIVE_SESSIONS)),
      identities: db.prepare(forSqlite(IDENTITIES)),
      events(filter: SecurityEventFilter) {
        const shape = eventsShape(filter);
        let statement = events.get(shape);
        if (!statement) {
          statement = db.prepare(forSqlite(securityEventsSql(filter, (list) => `IN (SELECT value FROM json_each(${list}))`)));
          events.set(shape, statement);
        }
        return statement;
      },
      sessionById: db.prepare(forSqlite(SESSION_BY_ID)),
      tokenByHash: db.prepare(forSqlite(TOKEN_BY_HASH)),
      addEvents,
      clearAttempts: (reservation: LoginReservation, subject: string) => clearAttempts.run(ids(reservation), subject),
      reservation: db.transaction(
        (subjects: string[], since: Date, at: Date, admit: (log: Map<string, LoginLogEntry[]>) => number) => {
          const retryAfter = admit(loginLogOf(loginLog.all(JSON.stringify(subjects), sqliteDate(since)) as Row[], date));
          if (retryAfter > 0) return { retryAfter };
          const reserved = subjects.map((subject) => Number(insertAttempt.run(subject, sqliteDate(at)).lastInsertRowid));
          return { reservation: { ids: reserved } };
        },
      ),
      failure: db.transaction((reservation: LoginReservation, at: Date, events: SecurityEventRecord[]) => {
        settleAttempts.run(sqliteDate(at), ids(reservation));
        addEvents(events);
      }),
      sessionStart: db.transaction(
        (session: SessionRecord, firstToken: NewRefreshToken, maxLiveSessions: number, credential: CredentialCheck | undefined) => {
          const now = sqliteDate(session.createdAt);
          if (credential) {
            const check = credential.rehash ? checkCredentialAndRehash : checkCredential;
            if (check.run(...credentialValues(session.userId, credential, now)).changes === 0) return null;
          }
          insertSession.run(...sessionValues(session, sqliteDate));
          insertFirstToken.run(...firstTokenValues(firstToken, sqliteDate));
          return endBeyondCap.run(...capValues(session, maxLiveSessions, now)).changes;
        },
      ),
      device: db.transaction((userId: string, deviceId: string, tokenHash: string, now: Date): "known" | "first" | "new" => {
        const at = sqliteDate(now);
        if (seenDevice.run(at, userId, tokenHash).changes > 0) return "known";
        const first = !(knowsADevice.get(userId) as Row).known;
        if (insertDevice.run(deviceId, userId, tokenHash, at, at).changes === 0) return "known";
        while (forgetDevices.run(userId, DELETE_CHUNK, MAX_DEVICES_PER_ACCOUNT).changes === DELETE_CHUNK);
        return first ? "first" : "new";
      }),
      rotation: db.transaction(
        (spentId: string, successor: NewRefreshToken, now: Date, idleExpiresAt: Date, dropSpentBelow: number | null) => {
          if (spend.run(sqliteDate(now), spentId).changes === 0) return false;
          const { id, sessionId, tokenHash, replacesId, generation, issuedAt } = successor;
          insertToken.run(id, sessionId, tokenHash, replacesId, generation, sqliteDate(issuedAt));
          touchSession.run(sqliteDate(now), sqliteDate(idleExpiresAt), sessionId);
          if (dropSpentBelow !== null) dropSpent.run(sessionId, dropSpentBelow);
          return true;
        },
      ),
    };
  }

  /** Opened at first use, as Prisma's is: a missing file is then a 503 of that request, not a crash at start. */
  async function whenFree<T>(statement: (prepared: ReturnType<typeof prepare>) => T): Promise<T> {
    const deadline = Date.now() + SQLITE_BUSY_WAIT_MS;
    for (;;) {
      try {
        connection ??= prepare();
        return statement(connection);
      } catch (error) {
        if (!isBusy(error) || Date.now() >= deadline) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, SQLITE_BUSY_RETRY_MS));
    }
  }

  const queries: SessionQueries & { close(): void } = {
    async findSession(sessionId) {
      const row = await whenFree((q) => q.sessionById.get(sessionId) as Row | undefined);
      return row ? sessionOf(row, date) : null;
    },
    async findRefreshToken(tokenHash) {
      const row = await whenFree((q) => q.tokenByHash.get(tokenHash) as Row | undefined);
      return row ? tokenWithSessionOf(row, date) : null;
    },
    rotate(spentId, successor, now, idleExpiresAt, dropSpentBelow) {
      // IMMEDIATE takes the write lock at BEGIN, so a busy database fails there, before anything is written.
      return whenFree((q) => q.rotation.immediate(spentId, successor, now, idleExpiresAt, dropSpentBelow));
    },
    async findUser(email) {
      const row = await whenFree((q) => q.userByEmail.get(email) as Row | undefined);
      return row ? userOf(row, date) : null;
    },
    async liveSessions(userId, now) {
      const at = sqliteDate(now);
      const found = await whenFree((q) => q.liveSessions.all(userId, at, at) as Row[]);
      return found.map((row) => sessionRecordOf(row, date));
    },
    async securityEvents(userId, limit, filter) {
      const values = eventsParameters(userId, limit, filter, (types) => JSON.stringify(types), sqliteDate);
      const found = await whenFree((q) => q.events(filter).all(...values) as Row[]);
      return found.map((row) => eventOf(row, date));
    },
    async identities(userId) {
      const found = await whenFree((q) => q.identities.all(userId) as Row[]);
      return found.map((row) => identityOf(row, date));
    },
    // Each read is one synchronous call on this connection: no round trips to save.
    async accountOverview(userId, now, activityLimit, alerts) {
      const [sessions, activity, alertRows, identities, user] = await Promise.all([
        queries.liveSessions(userId, now),
        queries.securityEvents(userId, activityLimit, {}),
        queries.securityEvents(userId, alerts.limit, alerts.filter),
        queries.identities(userId),
        whenFree((q) => q.userById.get(userId) as Row | undefined),
      ]);
      return { sessions, activity, alerts: alertRows, identities, user: user ? userOf(user, date) : null };
    },
    // Each write below is one synchronous IMMEDIATE transaction, as a rotation is.
    reserveLoginAttempt(subjects, since, at, admit) {
      return whenFree((q) => q.reservation.immediate(subjects, since, at, admit));
    },
    recordLoginFailure(reservation, at, event) {
      return whenFree((q) => q.failure.immediate(reservation, at, event ? [event] : []));
    },
    async clearLoginFailures(reservation, subject) {
      await whenFree((q) => q.clearAttempts(reservation, subject));
    },
    createSession(session, firstToken, maxLiveSessions, credential) {
      return whenFree((q) => q.sessionStart.immediate(session, firstToken, maxLiveSessions, credential));
    },
    rememberDevice(userId, deviceId, tokenHash, now) {
      return whenFree((q) => q.device.immediate(userId, deviceId, tokenHash, now));
    },
    async addSecurityEvents(events) {
      await whenFree((q) => q.addEvents(events));
    },
    close() {
      connection?.db.close();
      connection = undefined;
    },
  };
  return queries;
}

// ---- PostgreSQL ----------------------------------------------------------------------------------------

const TIMESTAMP_WITHOUT_TIME_ZONE = 1114;

/** Prisma keeps UTC in `timestamp(3)` columns, which carry no zone: read them as UTC, whatever TZ says. */
const utcTimestamps = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === TIMESTAMP_WITHOUT_TIME_ZONE
      ? (value: string) => new Date(`${value.replace(" ", "T")}Z`)
      : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
};

/**
 * Sent as text ending in "Z": PostgreSQL drops the zone when it reads text into `timestamp`, leaving the
 * UTC wall time, whereas node-postgres would send a Date in the process's local time.
 */
function pgDate(date: Date): string {
  return date.toISOString();
}

/**
 * The spend, the successor and the session's new idle expiry (and, every KEPT_SPENT_TOKENS rotations, the
 * drop of old spent tokens) in one statement: one round trip, atomic.
 */
function rotateSql(dropSpent: boolean): string {
  return `
WITH spent AS (
  UPDATE "RefreshToken" SET "spentAt" = $1 WHERE "id" = $2 AND "spentAt" IS NULL RETURNING "id"
), successor AS (
  INSERT INTO "RefreshToken" ("id", "sessionId", "tokenHash", "replacesId", "generation", "issuedAt")
  SELECT $3, $4, $5, spent."id", $8, $6 FROM spent
  RETURNING "id"
), touched AS (
  UPDATE "Session" SET "lastUsedAt" = $1, "idleExpiresAt" = $7 WHERE "id" = $4 AND EXISTS (SELECT 1 FROM spent)
)${
    dropSpent
      ? `, dropped AS (
  DELETE FROM "RefreshToken" WHERE "sessionId" = $4 AND "generation" < $9 AND "spentAt" IS NOT NULL AND EXISTS (SELECT 1 FROM spent)
)`
      : ""
  }
SELECT count(*)::int AS "rotated" FROM successor`;
}
/**
 * First key of the two-key advisory locks a login reservation takes on PostgreSQL (the second is a hash of
 * the subject). PostgreSQL keeps two-key and one-key locks apart, so these never meet the one-key lock
 * that `prisma migrate deploy` and scripts/migrate.mjs take.
 */
const LOGIN_LOCK_SPACE = 0x4c4f47; // "LOG"
const LOCK_SUBJECT = `SELECT pg_advisory_xact_lock(${LOGIN_LOCK_SPACE}::integer, hashtext($1::text))`;
const RESERVE_ATTEMPTS = `INSERT INTO "LoginFailure" ("subject", "failedAt", "pending")
  SELECT subject, $2, true FROM unnest($1::text[]) AS subject RETURNING "id"`;
const SETTLE_ATTEMPTS = `UPDATE "LoginFailure" SET "failedAt" = $1, "pending" = false WHERE "id" = ANY($2::int[])`;
const CLEAR_ATTEMPTS = `DELETE FROM "LoginFailure" WHERE "id" = ANY($1::int[]) OR ("subject" = $2 AND NOT "pending")`;
/** A statement's placeholders moved up by `offset` ($1 becomes $(1 + offset)), to nest it in a larger one. */
function shifted(sql: string, offset: number): string {
  return sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
}

/**
 * The dashboard's reads in one statement, each list as a JSON array of its rows and the user as one JSON
 * object: one round trip instead of five. json_agg takes a sorted subquery's rows in its order. The values
 * go in the order of the nested statements' placeholders.
 */
function overviewSql(alertFilter: SecurityEventFilter): string {
  const events = (filter: SecurityEventFilter) => securityEventsSql(filter, (list) => `= ANY(${list}::text[])`);
  const parts: [string, string][] = [
    ["sessions", LIVE_SESSIONS],
    ["activity", events({})],
    ["alerts", events(alertFilter)],
    ["identities", IDENTITIES],
  ];
  let offset = 0;
  const lists = parts.map(([name, sql]) => {
    const nested = shifted(sql, offset);
    offset += sql.match(/\$\d+/g)!.length; // each placeholder is used once
    return `(SELECT coalesce(json_agg(q), '[]'::json) FROM (${nested}) q) AS "${name}"`;
  });
  return `SELECT ${lists.join(", ")}, (SELECT row_to_json(q) FROM (${shifted(USER_BY_ID, offset)}) q) AS "user"`;
}

/** A `timestamp(3)` inside JSON: ISO 8601 without a zone, in UTC as Prisma wrote it. */
const jsonDate: DateOf = (value) => new Date(`${value as string}Z`);

const ROTATE_SQL = rotateSql(false);
const ROTATE_AND_DROP_SQL = rotateSql(true);

/** On the pool Prisma also uses (client.ts, which owns it), so the two share its connections and its limit. */
export function postgresSessionQueries(pool: pg.Pool): SessionQueries {
  const date: DateOf = (value) => value as Date;
  // Named: each pooled connection parses and plans a statement once, then only executes it, which about
  // halves PostgreSQL's own CPU per rotation (README, Performance).
  const rows = async (name: string, text: string, values: unknown[]) =>
    (await pool.query<Row>({ name, text, values, types: utcTimestamps })).rows;
  type Query = (name: string, text: string, values: unknown[]) => Promise<pg.QueryResult<Row>>;
  const on = (client: pg.Pool | pg.PoolClient): Query => (name, text, values) => client.query<Row>({ name, text, values, types: utcTimestamps });
  /** `work` in one transaction on one pooled connection. */
  async function transaction<T>(work: (query: Query) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      const result = await work(on(client));
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch((failed: Error) => (broken = failed)); // a lost connection leaves the pool
      throw error;
    } finally {
      client.release(broken);
    }
  }
  const query = on(pool);
  const addEvents = async (run: Query, events: SecurityEventRecord[]) => {
    if (events.length === 0) return;
    await run(`auth_insert_events_${events.length}`, insertEventsSql(events.length, numbered()), eventValues(events, pgDate));
  };

  return {
    async findSession(sessionId) {
      const [row] = await rows("auth_session_by_id", SESSION_BY_ID, [sessionId]);
      return row ? sessionOf(row, date) : null;
    },
    async findRefreshToken(tokenHash) {
      const [row] = await rows("auth_token_by_hash", TOKEN_BY_HASH, [tokenHash]);
      return row ? tokenWithSessionOf(row, date) : null;
    },
    async rotate(spentId, successor, now, idleExpiresAt, dropSpentBelow) {
      // Under READ COMMITTED a concurrent rotation of the same token makes this UPDATE wait for it to
      // commit and then find the row spent: exactly one of them rotates.
      const { id, sessionId, tokenHash, generation, issuedAt } = successor;
      const values = [pgDate(now), spentId, id, sessionId, tokenHash, pgDate(issuedAt), pgDate(idleExpiresAt), generation];
      const [row] =
        dropSpentBelow === null
          ? await rows("auth_rotate", ROTATE_SQL, values)
          : await rows("auth_rotate_and_drop", ROTATE_AND_DROP_SQL, [...values, dropSpentBelow]);
      return row?.rotated === 1;
    },
    async findUser(email) {
      const [row] = await rows("auth_user_by_email", USER_BY_EMAIL, [email]);
      return row ? userOf(row, date) : null;
    },
    async liveSessions(userId, now) {
      const at = pgDate(now);
      return (await rows("auth_live_sessions", LIVE_SESSIONS, [userId, at, at])).map((row) => sessionRecordOf(row, date));
    },
    async securityEvents(userId, limit, filter) {
      const values = eventsParameters(userId, limit, filter, (types) => [...types], pgDate);
      const text = securityEventsSql(filter, (list) => `= ANY(${list}::text[])`);
      return (await rows(`auth_events_${eventsShape(filter)}`, text, values)).map((row) => eventOf(row, date));
    },
    async identities(userId) {
      return (await rows("auth_identities", IDENTITIES, [userId])).map((row) => identityOf(row, date));
    },
    async accountOverview(userId, now, activityLimit, alerts) {
      const at = pgDate(now);
      const values = [
        ...[userId, at, at],
        ...eventsParameters(userId, activityLimit, {}, (types) => [...types], pgDate),
        ...eventsParameters(userId, alerts.limit, alerts.filter, (types) => [...types], pgDate),
        userId,
        userId,
      ];
      const [row] = await rows(`auth_overview_${eventsShape(alerts.filter)}`, overviewSql(alerts.filter), values);
      const list = (name: string) => row![name] as Row[];
      return {
        sessions: list("sessions").map((session) => sessionRecordOf(session, jsonDate)),
        activity: list("activity").map((event) => eventOf(event, jsonDate)),
        alerts: list("alerts").map((event) => eventOf(event, jsonDate)),
        identities: list("identities").map((identity) => identityOf(identity, jsonDate)),
        user: row!.user ? userOf(row!.user as Row, jsonDate) : null,
      };
    },
    reserveLoginAttempt(subjects, since, at, admit) {
      return transaction(async (run) => {
        // Every instance takes the subjects in one order, so two attempts never wait for each other's
        // second lock. SQLite needs none: its transactions take turns (one writer).
        for (const subject of [...new Set(subjects)].sort()) await run("auth_login_lock", LOCK_SUBJECT, [subject]);
        const log = (await run("auth_login_log", loginLogSql("= ANY($1::text[])"), [subjects, pgDate(since)])).rows;
        const retryAfter = admit(loginLogOf(log, date));
        if (retryAfter > 0) return { retryAfter };
        const reserved = (await run("auth_login_reserve", RESERVE_ATTEMPTS, [subjects, pgDate(at)])).rows;
        return { reservation: { ids: reserved.map((row) => Number(row.id)) } };
      });
    },
    recordLoginFailure(reservation, at, event) {
      return transaction(async (run) => {
        await run("auth_login_settle", SETTLE_ATTEMPTS, [pgDate(at), reservation.ids]);
        await addEvents(run, event ? [event] : []);
      });
    },
    async clearLoginFailures(reservation, subject) {
      await query("auth_login_clear", CLEAR_ATTEMPTS, [reservation.ids, subject]);
    },
    createSession(session, firstToken, maxLiveSessions, credential) {
      return transaction(async (run) => {
        const now = pgDate(session.createdAt);
        if (credential) {
          const [name, text] = credential.rehash ? ["auth_credential_rehash", CHECK_CREDENTIAL_AND_REHASH] : ["auth_credential", CHECK_CREDENTIAL];
          if ((await run(name, text, credentialValues(session.userId, credential, now))).rowCount === 0) return null;
        }
        await run("auth_insert_session", INSERT_SESSION, sessionValues(session, pgDate));
        await run("auth_insert_first_token", INSERT_FIRST_TOKEN, firstTokenValues(firstToken, pgDate));
        // A statement of its own, after the credential's row lock: it sees the sessions of a concurrent
        // login for this account that committed while this one waited.
        return (await run("auth_end_beyond_cap", END_BEYOND_CAP, capValues(session, maxLiveSessions, now))).rowCount ?? 0;
      });
    },
    async rememberDevice(userId, deviceId, tokenHash, now) {
      const at = pgDate(now);
      if ((await query("auth_seen_device", SEEN_DEVICE, [at, userId, tokenHash])).rowCount! > 0) return "known";
      const [{ known }] = (await query("auth_knows_a_device", KNOWS_A_DEVICE, [userId])).rows as [Row];
      if ((await query("auth_insert_device", INSERT_DEVICE, [deviceId, userId, tokenHash, at, at])).rowCount === 0) return "known";
      while ((await query("auth_forget_devices", FORGET_DEVICES, [userId, DELETE_CHUNK, MAX_DEVICES_PER_ACCOUNT])).rowCount === DELETE_CHUNK);
      return known ? "new" : "first";
    },
    async addSecurityEvents(events) {
      await addEvents(query, events);
    },
  };
}
