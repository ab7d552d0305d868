// Many sessions for one account, written straight into the database: for tests whose point is what the
// app does with an account that has thousands of them (revoke-all, cleanup), not a thousand argon2 logins.
import { randomBytes, randomUUID } from "node:crypto";
import type { AuthDb } from "../../lib/db/auth-db";
import { hashRefreshToken } from "../../lib/auth/refresh-token";

export interface InsertedSession {
  id: string;
  /** The session's refresh token, as a browser would hold it. */
  refreshToken: string;
}

/** Rows per insert: at most seven columns each, under SQLite's 999 bound parameters. */
const CHUNK = 140;
const DAY_MS = 86_400_000;

/**
 * `count` live sessions of `userId`, each with one unspent refresh token, used one millisecond apart and
 * all before `now` (the first is the least recently used), ending a day after it.
 */
export async function insertSessions(db: AuthDb, userId: string, count: number, now: Date): Promise<InsertedSession[]> {
  const inserted: InsertedSession[] = [];
  for (let start = 0; start < count; start += CHUNK) {
    const sessions = [];
    const tokens = [];
    for (let i = start; i < Math.min(count, start + CHUNK); i++) {
      const used = new Date(now.getTime() - (count - i));
      const end = new Date(now.getTime() + DAY_MS);
      const session = { id: randomUUID(), refreshToken: randomBytes(32).toString("base64url") };
      inserted.push(session);
      sessions.push({ id: session.id, userId, createdAt: used, lastUsedAt: used, absoluteExpiresAt: end, idleExpiresAt: end });
      tokens.push({
        id: randomUUID(),
        sessionId: session.id,
        tokenHash: hashRefreshToken(session.refreshToken),
        issuedAt: used,
      });
    }
    await db.session.createMany({ data: sessions });
    await db.refreshToken.createMany({ data: tokens });
  }
  return inserted;
}

/**
 * One session of `userId` that was refreshed `rotations` times (a chain of that many spent tokens and its
 * last, unspent one), started and last used before `endedAt`, and revoked at `endedAt`.
 */
export async function insertRotatedSession(db: AuthDb, userId: string, rotations: number, endedAt: Date): Promise<string> {
  const sessionId = randomUUID();
  const start = new Date(endedAt.getTime() - rotations - 1);
  await db.session.create({
    data: {
      id: sessionId,
      userId,
      createdAt: start,
      lastUsedAt: endedAt,
      absoluteExpiresAt: new Date(endedAt.getTime() + DAY_MS),
      idleExpiresAt: new Date(endedAt.getTime() + DAY_MS),
      revokedAt: endedAt,
      revokedReason: "logout",
    },
  });
  let previous: string | null = null;
  for (let first = 0; first <= rotations; first += CHUNK) {
    const tokens = [];
    for (let i = first; i <= Math.min(rotations, first + CHUNK - 1); i++) {
      const issued = new Date(start.getTime() + i);
      const id = randomUUID();
      tokens.push({
        id,
        sessionId,
        tokenHash: hashRefreshToken(randomBytes(32).toString("base64url")),
        replacesId: previous,
        generation: i,
        issuedAt: issued,
        spentAt: i < rotations ? new Date(issued.getTime() + 1) : null,
      });
      previous = id;
    }
    await db.refreshToken.createMany({ data: tokens });
  }
  return sessionId;
}
