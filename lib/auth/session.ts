// The one place that decides whether a login session is alive, and the arithmetic of its lifetimes.
import type { AuthConfig } from "./config";

export interface SessionLifetime {
  absoluteExpiresAt: Date;
  revokedAt: Date | null;
}

/**
 * A session is alive until it is revoked or reaches its absolute end. Its refresh token's idle expiry
 * limits refreshing, not the access token already issued (which never outlives the session's end).
 */
export function isSessionAlive(session: SessionLifetime, now: Date): boolean {
  return session.revokedAt === null && now < session.absoluteExpiresAt;
}

export function addSeconds(date: Date, seconds: number): Date {
  return new Date(date.getTime() + seconds * 1000);
}

function earliest(a: Date, b: Date): Date {
  return a < b ? a : b;
}

/** A refresh token works until the session's absolute end or until it has been idle too long. */
export function refreshTokenExpiry(absoluteExpiresAt: Date, now: Date, config: AuthConfig): Date {
  return earliest(absoluteExpiresAt, addSeconds(now, config.refreshIdleTtl));
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
