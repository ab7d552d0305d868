// What the core counts for operators, as a port: the service calls these hooks, and lib/ops/metrics.ts
// turns them into Prometheus metrics. Logins and refreshes are counted from the log entries the service
// already emits (lib/ops/metrics.ts, `countAuthEvent`), so only what has no log entry is here.
import type { FeedState } from "./revocation-feed";

export interface AuthMetrics {
  /** One session-liveness lookup of `authenticate`: answered by the cache, or read from the store. */
  livenessLookup(result: "hit" | "miss"): void;
  /** One revocation notice published by this instance, or one received (its own included). */
  revocationNotice(direction: "sent" | "received"): void;
  /** The revocation feed's state, each time it changes (revocation-feed.ts). */
  revocationFeed(state: FeedState): void;
}

export const noMetrics: AuthMetrics = {
  livenessLookup: () => {},
  revocationNotice: () => {},
  revocationFeed: () => {},
};
