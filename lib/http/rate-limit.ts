// Per-address bounds on the endpoints that write or mail without a password check: refresh (each call
// writes a rotation), register (each call creates an account and hashes a password) and forgot-password
// (each call may send an email). They bound floods, and are counted where every instance sees the same
// count (lib/ops/rate-limiter.ts: Redis, PostgreSQL, or memory on SQLite). Login has its own exact,
// database-backed throttle (lib/auth/throttle.ts).
import { RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { AuthError } from "../auth/errors";
import { addressKey } from "../auth/throttle";
import type { AuthConfig } from "../auth/config";
import { createRateLimiter } from "../ops/rate-limiter";

export type Bound = "refresh" | "register" | "forgot";
/** Bounds per recipient (an email, an account), so nobody's inbox can be flooded from many addresses. */
export type RecipientBound = "forgot_email" | "verify_resend";

/** Reset requests for one email, and new verification links for one account, within AUTH_LOGIN_WINDOW. */
export const MAIL_PER_RECIPIENT = 3;

const PER_MINUTE: Record<Bound, (config: AuthConfig) => number> = {
  refresh: (config) => config.refreshRatePerMinute,
  register: (config) => config.registerRatePerMinute,
  forgot: (config) => config.forgotRatePerMinute,
};

const limiters = new Map<Bound | RecipientBound, RateLimiterAbstract>();

function limiter(bound: Bound, config: AuthConfig): RateLimiterAbstract | undefined {
  const points = PER_MINUTE[bound](config);
  if (points === 0) return undefined;
  let existing = limiters.get(bound);
  if (!existing) {
    existing = createRateLimiter({ name: bound, points, durationSeconds: 60 }, config);
    limiters.set(bound, existing);
  }
  return existing;
}

const RECIPIENT_MESSAGES: Record<RecipientBound, string> = {
  forgot_email: "Too many reset requests for this email. Please wait and try again.",
  verify_resend: "Too many verification emails were sent. Please wait and try again.",
};

/** Counts one request for `key` (a normalised email, an account id); past the bound, 429 with Retry-After. */
export async function enforceRecipientLimit(bound: RecipientBound, key: string, config: AuthConfig): Promise<void> {
  let active = limiters.get(bound);
  if (!active) {
    active = createRateLimiter({ name: bound, points: MAIL_PER_RECIPIENT, durationSeconds: config.loginWindow }, config);
    limiters.set(bound, active);
  }
  try {
    await active.consume(key);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    throw new AuthError("too_many_attempts", {
      message: RECIPIENT_MESSAGES[bound],
      retryAfter: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
    });
  }
}

/**
 * Counts one request from `ip` (no address: the one shared key); past the bound it throws 429
 * `too_many_attempts` with Retry-After.
 */
export async function enforceRateLimit(bound: Bound, ip: string | null, config: AuthConfig): Promise<void> {
  const active = limiter(bound, config);
  if (!active) return;
  try {
    await active.consume(addressKey(ip));
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    throw new AuthError("too_many_attempts", {
      message: "Too many requests from your address. Please wait and try again.",
      retryAfter: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
    });
  }
}
