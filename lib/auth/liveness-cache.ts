// Session-liveness answers of `authenticate`, kept in process so that every request does not read its
// session. How long an answer is kept depends on the revocation feed (revocation-feed.ts): while every
// instance's notices arrive, until the access token it was checked for expires (a notice drops it at once);
// otherwise LIVENESS_CACHE_MS, so that a revocation made anywhere is seen within the contract's 1 second.
import type { AuthMetrics } from "./metrics";
import type { FeedState, RevocationNotice } from "./revocation-feed";
import type { SessionWithUser } from "./store";

/** How long an answer is kept when notices from other instances may not arrive. */
export const LIVENESS_CACHE_MS = 500;
/** Sessions remembered at most; the oldest answer goes first. */
export const LIVENESS_CACHE_MAX_ENTRIES = 10_000;

interface Entry {
  found: SessionWithUser | null;
  fetchedAt: number;
  /** Until when the answer may be kept while the feed is pushed; 0 when only the short rule applies. */
  keepUntil: number;
}

export class LivenessCache {
  private readonly entries = new Map<string, Entry>();
  /** Moves on every drop: a read that ran while a notice arrived may hold what the notice ended. */
  private epoch = 0;
  private pushed = false;

  constructor(
    private readonly metrics: AuthMetrics,
    private readonly maxEntries = LIVENESS_CACHE_MAX_ENTRIES,
  ) {}

  /** The kept answer for `sessionId` if it may still be used at `now` (counted as a hit), else undefined. */
  get(sessionId: string, now: Date): SessionWithUser | null | undefined {
    const entry = this.entries.get(sessionId);
    const at = now.getTime();
    // A clock set back makes an answer look younger than it is: never trusted.
    const usable =
      entry !== undefined &&
      at >= entry.fetchedAt &&
      (at - entry.fetchedAt < LIVENESS_CACHE_MS || (this.pushed && at < entry.keepUntil));
    this.metrics.livenessLookup(usable ? "hit" : "miss");
    return usable ? entry.found : undefined;
  }

  /** Taken before reading the store, handed to `set` with what was read. */
  ticket(): number {
    return this.epoch;
  }

  set(sessionId: string, found: SessionWithUser | null, fetchedAt: Date, ticket: number, keepUntil: Date): void {
    this.entries.delete(sessionId); // re-inserted last: the Map's order is the eviction order
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    // Kept long only when no notice arrived while it was read and the feed is still pushed.
    const long = this.pushed && ticket === this.epoch;
    this.entries.set(sessionId, { found, fetchedAt: fetchedAt.getTime(), keepUntil: long ? keepUntil.getTime() : 0 });
  }

  /** Forgets what a notice names. */
  drop(notice: RevocationNotice): void {
    this.epoch++;
    if ("all" in notice) this.entries.clear();
    else if ("userId" in notice) {
      for (const [id, entry] of this.entries) if (entry.found?.user.id === notice.userId) this.entries.delete(id);
    } else for (const id of notice.sessionIds) this.entries.delete(id);
  }

  /** Follows the feed: back to pushed means notices may have been missed, so everything is read again. */
  feedState(state: FeedState): void {
    const pushed = state === "pushed";
    if (pushed && !this.pushed) this.drop({ all: true });
    this.pushed = pushed;
  }

  get size(): number {
    return this.entries.size;
  }
}
