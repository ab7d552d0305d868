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
