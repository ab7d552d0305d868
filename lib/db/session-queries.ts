// The two paths every signed-in request takes, as plain SQL sent straight through the driver: reading a
// session (the server-side liveness check) and redeeming a refresh token. Everything else goes through
// Prisma. Why: through Prisma's query engine every statement costs CPU of its own, and a rotation was an
// interactive transaction of six statements, serialised on SQLite's one writer (the figures before and
// after: README, Performance). Here a read is one statement and a rotation one short write: one
// synchronous transaction on SQLite, one statement on PostgreSQL.
//
// Both databases hold the tables Prisma made from prisma/schema.prisma; the SQL below names its columns
// the same way. Dates are stored the way Prisma stores them: ISO 8601 text on SQLite (see sqliteDate),
// `timestamp(3)` in UTC on PostgreSQL.
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import type { NewRefreshToken, SessionWithUser, TokenWithSession } from "../auth/store";

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
}

const SESSION_COLUMNS = `s."id" AS "sessionId", s."userId", s."createdAt", s."lastUsedAt", s."absoluteExpiresAt",
  s."idleExpiresAt", s."revokedAt", s."revokedReason", s."userAgent", s."ip", u."email",
  u."emailVerifiedAt"`;
const TOKEN_COLUMNS = `t."id" AS "tokenId", t."tokenHash", t."replacesId", t."generation", t."issuedAt", t."expiresAt", t."spentAt"`;
const SESSION_FROM = `FROM "Session" s JOIN "User" u ON u."id" = s."userId"`;
const TOKEN_FROM = `FROM "RefreshToken" t JOIN "Session" s ON s."id" = t."sessionId" JOIN "User" u ON u."id" = s."userId"`;

// The statements both databases run, in PostgreSQL's notation; each parameter is used once and in order,
// so SQLite takes the same text with `?` (see forSqlite).
const SESSION_BY_ID = `SELECT ${SESSION_COLUMNS} ${SESSION_FROM} WHERE s."id" = $1`;
const TOKEN_BY_HASH = `SELECT ${TOKEN_COLUMNS}, ${SESSION_COLUMNS} ${TOKEN_FROM} WHERE t."tokenHash" = $1`;
const DROP_SPENT = `DELETE FROM "RefreshToken" WHERE "sessionId" = $1 AND "generation" < $2 AND "spentAt" IS NOT NULL`;

function forSqlite(sql: string): string {
  return sql.replace(/\$\d+/g, "?");
}

type Row = Record<string, unknown>;
type DateOf = (value: unknown) => Date;

function sessionOf(row: Row, date: DateOf): SessionWithUser {
  const optionalDate = (value: unknown) => (value === null ? null : date(value));
  return {
    session: {
      id: row.sessionId as string,
      userId: row.userId as string,
      createdAt: date(row.createdAt),
      lastUsedAt: date(row.lastUsedAt),
      absoluteExpiresAt: date(row.absoluteExpiresAt),
      idleExpiresAt: date(row.idleExpiresAt),
      revokedAt: optionalDate(row.revokedAt),
      revokedReason: row.revokedReason as string | null,
      userAgent: row.userAgent as string | null,
      ip: row.ip as string | null,
    },
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
      expiresAt: date(row.expiresAt),
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
 */
export function sqliteSessionQueries(url: string): SessionQueries & { close(): void } {
  const date: DateOf = (value) => new Date(value as string);
  let connection: ReturnType<typeof prepare> | undefined;

  function prepare() {
    const db = new BetterSqlite3(url.replace(/^file:/, ""), { timeout: 0 });
    const spend = db.prepare(`UPDATE "RefreshToken" SET "spentAt" = ? WHERE "id" = ? AND "spentAt" IS NULL`);
    const insertToken = db.prepare(
      `INSERT INTO "RefreshToken" ("id", "sessionId", "tokenHash", "replacesId", "generation", "issuedAt", "expiresAt") VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const dropSpent = db.prepare(forSqlite(DROP_SPENT));
    const touchSession = db.prepare(`UPDATE "Session" SET "lastUsedAt" = ?, "idleExpiresAt" = ? WHERE "id" = ?`);
    return {
      db,
      sessionById: db.prepare(forSqlite(SESSION_BY_ID)),
      tokenByHash: db.prepare(forSqlite(TOKEN_BY_HASH)),
      rotation: db.transaction(
        (spentId: string, successor: NewRefreshToken, now: Date, idleExpiresAt: Date, dropSpentBelow: number | null) => {
          if (spend.run(sqliteDate(now), spentId).changes === 0) return false;
          const { id, sessionId, tokenHash, replacesId, generation, issuedAt, expiresAt } = successor;
          insertToken.run(id, sessionId, tokenHash, replacesId, generation, sqliteDate(issuedAt), sqliteDate(expiresAt));
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

  return {
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
    close() {
      connection?.db.close();
      connection = undefined;
    },
  };
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
  INSERT INTO "RefreshToken" ("id", "sessionId", "tokenHash", "replacesId", "generation", "issuedAt", "expiresAt")
  SELECT $3, $4, $5, spent."id", $9, $6, $7 FROM spent
  RETURNING "id"
), touched AS (
  UPDATE "Session" SET "lastUsedAt" = $1, "idleExpiresAt" = $8 WHERE "id" = $4 AND EXISTS (SELECT 1 FROM spent)
)${
    dropSpent
      ? `, dropped AS (
  DELETE FROM "RefreshToken" WHERE "sessionId" = $4 AND "generation" < $10 AND "spentAt" IS NOT NULL AND EXISTS (SELECT 1 FROM spent)
)`
      : ""
  }
SELECT count(*)::int AS "rotated" FROM successor`;
}
const ROTATE_SQL = rotateSql(false);
const ROTATE_AND_DROP_SQL = rotateSql(true);

/** On the pool Prisma also uses (client.ts, which owns it), so the two share its connections and its limit. */
export function postgresSessionQueries(pool: pg.Pool): SessionQueries {
  const date: DateOf = (value) => value as Date;
  // Named: each pooled connection parses and plans a statement once, then only executes it, which about
  // halves PostgreSQL's own CPU per rotation (README, Performance).
  const rows = async (name: string, text: string, values: unknown[]) =>
    (await pool.query<Row>({ name, text, values, types: utcTimestamps })).rows;

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
      const { id, sessionId, tokenHash, generation, expiresAt, issuedAt } = successor;
      const values = [pgDate(now), spentId, id, sessionId, tokenHash, pgDate(issuedAt), pgDate(expiresAt), pgDate(idleExpiresAt), generation];
      const [row] =
        dropSpentBelow === null
          ? await rows("auth_rotate", ROTATE_SQL, values)
          : await rows("auth_rotate_and_drop", ROTATE_AND_DROP_SQL, [...values, dropSpentBelow]);
      return row?.rotated === 1;
    },
  };
}
