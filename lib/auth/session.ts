// The one place that decides whether a login session is alive (sessionValidity, with the stores' filters
// built beside it), and the arithmetic of its lifetimes.
import type { AuthConfig } from "./config";

/** What the liveness rule reads of a session: its three ends. */
export interface SessionLifetime {
  absoluteExpiresAt: Date;
  /** Moved forward by every refresh; the one place the idle end is kept. */
  idleExpiresAt: Date;
  revokedAt: Date | null;
}

/** Whether a session is alive and, when not, why (as Supabase Auth's `Session.CheckValidity` answers). */
export type SessionValidity = "live" | "idle" | "expired" | "revoked";

/**
 * The one liveness rule. A session ends when it is revoked, reaches its absolute end, or is left idle
 * past its idle end; ended is ended everywhere: its access tokens are refused, it leaves the sessions
 * list, and its refresh token is refused. Revocation is reported first (refresh says `refresh_revoked`
 * then), then the absolute end.
 */
export function sessionValidity(session: SessionLifetime, now: Date): SessionValidity {
  if (session.revokedAt !== null) return "revoked";
  if (now >= session.absoluteExpiresAt) return "expired";
  if (now >= session.idleExpiresAt) return "idle";
  return "live";
}

// The same rule for the stores, which select sessions in the database instead of reading each one: a
// filter over SessionLifetime's fields in the notation of the store's query builder (Prisma's `where`),
// built here (and as SQL, liveSessionSql) so that the rule above and the rows a store selects cannot drift apart (session.test.ts
// checks them against each other on a real database).

/** The sessions `sessionValidity` calls live at `now`. */
export function liveSessionFilter(now: Date) {
  return { revokedAt: null, absoluteExpiresAt: { gt: now }, idleExpiresAt: { gt: now } };
}

/**
 * `liveSessionFilter` as an SQL condition over a "Session" row, for stores that send SQL themselves: `now`
 * goes in once per comparison, as the two placeholders given (each used once, in order).
 */
export function liveSessionSql(nowForAbsolute: string, nowForIdle: string): string {
  return `"revokedAt" IS NULL AND "absoluteExpiresAt" > ${nowForAbsolute} AND "idleExpiresAt" > ${nowForIdle}`;
}

/** The sessions that ended (any of the three ways) before `before`: what retention may delete. */
export function sessionEndedBeforeFilter(before: Date) {
  return {
    OR: [{ revokedAt: { lt: before } }, { absoluteExpiresAt: { lt: before } }, { idleExpiresAt: { lt: before } }],
  };
}

export function addSeconds(date: Date, seconds: number): Date {
  return new Date(date.getTime() + seconds * 1000);
}

function earliest(a: Date, b: Date): Date {
  return a < b ? a : b;
}

/** The session's idle end after a use at `now` (sign-in or refresh). */
export function idleExpiry(now: Date, config: AuthConfig): Date {
  return addSeconds(now, config.refreshIdleTtl);
}

/** Until when a session's refresh token works: its absolute end or its idle end, whichever comes first. */
export function refreshTokenEnd(session: Pick<SessionLifetime, "absoluteExpiresAt" | "idleExpiresAt">): Date {
  return earliest(session.absoluteExpiresAt, session.idleExpiresAt);
}

/** A refresh token issued at `now` works until the session's absolute end or until it is idle too long. */
export function refreshTokenExpiry(absoluteExpiresAt: Date, now: Date, config: AuthConfig): Date {
  return refreshTokenEnd({ absoluteExpiresAt, idleExpiresAt: idleExpiry(now, config) });
}

/** An access token never outlives its session. */
export function accessTokenExpiry(absoluteExpiresAt: Date, now: Date, config: AuthConfig): Date {
  return earliest(absoluteExpiresAt, addSeconds(now, config.accessTtl));
}

export type RevokeReason =
  | "logout"
  | "logout_all"
  | "device_revoked"
  | "password_change"
  | "password_reset"
  | "reuse_detected"
  | "admin_password_reset"
  | "admin_end_sessions"
  | "session_limit"
  | "admin_end_all_sessions";

/**
 * Live sessions one account may have. A new sign-in beyond it ends the least recently used one: what a
 * person signs in from fits many times over, and the sessions list, revoke-all and a password change stay
 * bounded whatever a script does with a stolen password (README, Limits).
 */
export const MAX_LIVE_SESSIONS = 100;
