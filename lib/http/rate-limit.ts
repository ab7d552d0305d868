// Per-address bounds on the endpoints that write without a password check: refresh (each call writes a
// rotation) and register (each call creates an account and hashes a password). Counted in this process
// with rate-limiter-flexible: these bound floods, they are not security boundaries, so per-instance counts
// are enough. Login has its own exact, database-backed throttle (lib/auth/throttle.ts).
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { AuthError } from "../auth/errors";
import type { AuthConfig } from "../auth/config";

type Bound = "refresh" | "register";

const limiters = new Map<Bound, RateLimiterMemory>();

function limiter(bound: Bound, config: AuthConfig): RateLimiterMemory | undefined {
  const points = bound === "refresh" ? config.refreshRatePerMinute : config.registerRatePerMinute;
  if (points === 0) return undefined;
  let existing = limiters.get(bound);
  if (!existing) {
    existing = new RateLimiterMemory({ keyPrefix: bound, points, duration: 60 });
    limiters.set(bound, existing);
  }
  return existing;
}

/** Counts one request from `ip`; past the bound it throws 429 `too_many_attempts` with Retry-After. */
export async function enforceRateLimit(bound: Bound, ip: string | null, config: AuthConfig): Promise<void> {
  const active = limiter(bound, config);
  if (!active || !ip) return;
  try {
    await active.consume(ip);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    throw new AuthError("too_many_attempts", {
      message: "Too many requests from your address. Please wait and try again.",
      retryAfter: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
    });
  }
}
