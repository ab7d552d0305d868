// Security activity and auth logs: what happened to an account, when, from which address and browser.
//
// Two outlets. Events a person should see about their own account are stored (SecurityEvent) and shown on
// the dashboard; every auth event, those included, is also handed to a logger as one structured entry.
// Neither ever carries a token, a password or a hash: the types below have no field that could hold one.
import type { ClientInfo } from "./types";

/** Stored events, shown to the account's owner. Each belongs to an existing user. */
export const ACTIVITY_TYPES = [
  "account_created",
  "sign_in",
  "sign_in_failed",
  "new_device",
  "refresh_reused",
  "device_revoked",
  "logout_all",
  "password_changed",
  "password_reset",
  "sessions_ended",
  "session_limit",
  "sso_sign_in",
  "identity_linked",
  "identity_unlinked",
] as const;

export type ActivityType = (typeof ACTIVITY_TYPES)[number];

/**
 * Events the owner is warned of, listed apart from the recent activity so that no number of other
 * events (failed sign-ins anyone can cause by knowing the email) pushes them out of view.
 */
export const SECURITY_ALERT_TYPES = ["refresh_reused", "new_device"] as const satisfies readonly ActivityType[];
/** How long an alert stays on the dashboard. */
export const SECURITY_ALERT_DAYS = 30;

export function isActivityType(value: string): value is ActivityType {
  return (ACTIVITY_TYPES as readonly string[]).includes(value);
}

export interface SecurityEventRecord {
  userId: string;
  type: ActivityType;
  createdAt: Date;
  ip: string | null;
  userAgent: string | null;
  /** The session the event concerns (the new one, the revoked one, the reused one), when there is one. */
  sessionId: string | null;
}

/** Logged only: routine or not tied to a known account (a failed sign-in for an unknown email). */
export type LogOnlyEvent =
  | "sign_out"
  | "token_refreshed"
  | "refresh_rejected"
  | "sign_in_throttled"
  | "sign_in_failed_unknown_user"
  | "sso_refused"
  | "sso_failed"
  | "cleanup"
  | "cleanup_failed"
  | "all_sessions_ended";

export interface AuthLogEntry {
  event: ActivityType | LogOnlyEvent;
  level: "info" | "warn";
  at: Date;
  userId?: string | null;
  sessionId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  /** An error code such as `refresh_expired`, never free text from a request. */
  reason?: string;
  /** A successful refresh: rotated, or a replay within the grace period handed the chain's current token. */
  outcome?: "rotated" | "replayed";
  /** Row counts, for the cleanup. */
  removed?: Record<string, number>;
  /** Sessions ended at once, for `all_sessions_ended`. */
  sessions?: number;
}

export type AuthLogger = (entry: AuthLogEntry) => void;

export const silentLogger: AuthLogger = () => {};

/** Worth a warning in the logs (and on the dashboard, for reuse). */
const WARNINGS = new Set<string>([
  "sign_in_failed",
  "sign_in_failed_unknown_user",
  "sign_in_throttled",
  "sso_refused",
  "sso_failed",
  "refresh_reused",
  "cleanup_failed",
  "all_sessions_ended",
]);

export function levelOf(event: AuthLogEntry["event"]): AuthLogEntry["level"] {
  return WARNINGS.has(event) ? "warn" : "info";
}

/** The log entry of a stored event. */
export function logEntryOf(event: SecurityEventRecord): AuthLogEntry {
  return {
    event: event.type,
    level: levelOf(event.type),
    at: event.createdAt,
    userId: event.userId,
    sessionId: event.sessionId,
    ip: event.ip,
    userAgent: event.userAgent,
  };
}

export function securityEvent(
  type: ActivityType,
  userId: string,
  source: ClientInfo,
  createdAt: Date,
  sessionId: string | null = null,
): SecurityEventRecord {
  return { userId, type, createdAt, ip: source.ip, userAgent: source.userAgent, sessionId };
}
