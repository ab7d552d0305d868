// What is kept, and for how long. A cleanup pass deletes, in bounded batches:
//   - sessions that ended (revoked, past their absolute end, or idle) more than AUTH_RETENTION_DAYS ago,
//     with all their refresh tokens. A live session's spent tokens are bounded by its rotations instead
//     (spentTokensBelow in refresh-token.ts), not here: a replay of a spent token must still be recognised
//     as reuse ("refresh_reused", which ends the session). Within a live session the only unspent token is
//     the current one, so no expired token of a live session exists to prune;
//   - login failures older than every throttling window: they can no longer count;
//   - security activity older than AUTH_ACTIVITY_RETENTION_DAYS;
//   - reset and verification links once expired (spent or not, they can never work again);
//   - remembered browsers unseen for DEVICE_MEMORY_DAYS (their cookie has expired in the browser).
import { levelOf, silentLogger, type AuthLogger } from "./activity";
import type { AuthConfig } from "./config";
import { DEVICE_MEMORY_DAYS } from "./devices";
import { addSeconds } from "./session";
import type { AuthStore, PruneCounts, PruneRequest } from "./store";

/** Far below the bound-parameter limits of SQLite (32766) and PostgreSQL (65535) for the id lists. */
const MAX_BATCH = 10_000;

export function pruneRequest(config: AuthConfig, now: Date): PruneRequest {
  return {
    sessionsEndedBefore: addSeconds(now, -config.retention),
    loginFailuresBefore: addSeconds(now, -Math.max(config.loginWindow, config.ipWindow)),
    securityEventsBefore: addSeconds(now, -config.activityRetention),
    emailTokensExpiredBefore: now,
    devicesUnseenBefore: addSeconds(now, -DEVICE_MEMORY_DAYS * 86_400),
    limit: Math.min(config.cleanupBatch, MAX_BATCH),
  };
}

/** One pass: at most `cleanupBatch` rows of each kind, so a pass never holds the database for long. */
export async function pruneOnce(
  store: AuthStore,
  config: AuthConfig,
  now: Date,
  log: AuthLogger = silentLogger,
): Promise<PruneCounts> {
  const removed = await store.prune(pruneRequest(config, now));
  if (Object.values(removed).some((count) => count > 0)) {
    log({ event: "cleanup", level: levelOf("cleanup"), at: now, removed: { ...removed } });
  }
  return removed;
}

/** Whether a pass hit its batch limit on some kind, so another pass has work left. */
export function hasMoreWork(removed: PruneCounts, config: AuthConfig): boolean {
  const limit = Math.min(config.cleanupBatch, MAX_BATCH);
  return Object.values(removed).some((count) => count >= limit);
}
