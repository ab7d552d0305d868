// Login throttling as a sliding log: the failures of one subject (an email, an address) inside the window.
// Failures 1 to `max` are answered normally; from then on every attempt is refused until the oldest
// counted failure leaves the window. Refused attempts are not failures, so waiting always helps.

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export function checkThrottle(
  failures: readonly Date[],
  now: Date,
  max: number,
  windowSeconds: number,
): ThrottleVerdict {
  const windowStart = now.getTime() - windowSeconds * 1000;
  const counted = failures
    .map((failedAt) => failedAt.getTime())
    .filter((time) => time > windowStart)
    .sort((a, b) => a - b);
  if (counted.length < max) return { allowed: true };
  // With `max` failures left in the window, the attempt after the next one to leave is the first allowed.
  const freedAt = (counted[counted.length - max] ?? now.getTime()) + windowSeconds * 1000;
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((freedAt - now.getTime()) / 1000)) };
}

/**
 * The key per-address bounds count a client under. A request whose address is unknown (an empty or
 * unusable X-Forwarded-For from a trusted proxy, or a server not started by `npm start`) is counted under
 * one shared key: a bound must fail closed, never be skipped.
 */
export function addressKey(ip: string | null): string {
  return ip ?? "unknown";
}

/** The failure-log keys an attempt counts under: its email's and its address's. */
export interface ThrottleSubjects {
  email: string;
  ip: string;
}

export function throttleSubjects(email: string, ip: string | null): ThrottleSubjects {
  return { email: `email:${email}`, ip: `ip:${addressKey(ip)}` };
}

/** An entry of the failure log: a failure, or an attempt whose password is still being checked. */
export interface AttemptLogEntry {
  at: Date;
  pending: boolean;
}

/**
 * A pending entry older than this is an attempt whose server died mid-check: it counts as a failure (a
 * bound fails closed). Any live check settles far sooner (the hashing queue's wait is bounded).
 */
export const PENDING_STALE_SECONDS = 60;

/**
 * Password checks one address may have in flight at once: the rest of a burst gets a 429 at once instead
 * of a pending row and a place in the queue. The fair hashing queue already keeps one address's burst
 * from delaying anyone else's login; this bounds what the burst costs. Far above what a person or a shared
 * office address sends, and above the contract's 100 failures a minute even when a client sends all 100
 * at once.
 */
export const MAX_IN_FLIGHT_PER_ADDRESS = 128;

/**
 * Whether one more attempt for a subject may be checked, counting the attempts being checked now: the
 * answer is 0 (go ahead) or the seconds to wait. Refused because of settled failures, the wait is the
 * contract's (until the oldest counted failure leaves the window). Refused only because other attempts are
 * in flight, the wait is `inFlightRetrySeconds`: they settle within moments, and if they succeed (the
 * owner signing in on several devices at once) nobody should be kept out for the window. `maxInFlight`
 * refuses the same way when that many are in flight already, whatever the failures.
 */
export function attemptVerdict(
  log: readonly AttemptLogEntry[],
  now: Date,
  max: number,
  windowSeconds: number,
  inFlightRetrySeconds: number,
  maxInFlight = Number.POSITIVE_INFINITY,
): number {
  const windowStart = now.getTime() - windowSeconds * 1000;
  const staleBefore = now.getTime() - PENDING_STALE_SECONDS * 1000;
  const counted = log.filter((entry) => entry.at.getTime() > windowStart);
  const failures = counted.filter((entry) => !entry.pending || entry.at.getTime() < staleBefore).map((entry) => entry.at);
  const settled = checkThrottle(failures, now, max, windowSeconds);
  if (!settled.allowed) return settled.retryAfterSeconds;
  const inFlight = counted.length - failures.length;
  return counted.length >= max || inFlight >= maxInFlight ? Math.max(1, inFlightRetrySeconds) : 0;
}
