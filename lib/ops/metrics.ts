// Prometheus metrics (prom-client) of this process, served by GET /api/metrics. The core knows nothing of
// prom-client: logins and refreshes are counted from the service's log entries (`countAuthEvent`), the
// liveness cache and the revocation notices through the AuthMetrics port, the hashing queue from password.ts's own stats, and 503s
// where the one error responder renders them. Every metric is listed in the README ("Metrics").
import { createHash, timingSafeEqual } from "node:crypto";
import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client";
import type { AuthLogEntry } from "../auth/activity";
import type { AuthMetrics } from "../auth/metrics";
import { hashingStats } from "../auth/password";

function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  /** A counter with one label whose known values start at 0, so a rate over them exists before the first event. */
  const labelled = <L extends string>(name: string, help: string, label: L, known: string[]) => {
    const counter = new Counter<L>({ name, help, labelNames: [label], registers });
    for (const value of known) counter.inc({ [label]: value } as Record<L, string>, 0);
    return counter;
  };
  const metrics = {
    registry,
    setFeedState: (state: string) => {
      for (const known of ["pushed", "local", "down"]) feedState.set({ state: known }, known === state ? 1 : 0);
    },
    logins: labelled("auth_logins_total", "Password logins by outcome", "outcome", ["success", "invalid_credentials", "throttled"]),
    refreshes: labelled(
      "auth_refreshes_total",
      "Refresh-token redemptions by outcome (replayed: within the grace period; reused: after it, the session ended)",
      "outcome",
      ["rotated", "replayed", "reused", "expired", "revoked", "invalid"],
    ),
    revocationNotices: labelled(
      "auth_revocation_notices_total",
      "Revocation notices this instance sent to the others, and received from them",
      "direction",
      ["sent", "received"],
    ),
    livenessLookups: labelled(
      "auth_liveness_lookups_total",
      "Session-liveness checks of authenticate: hit (the in-process cache answered) or miss (read from the database)",
      "result",
      ["hit", "miss"],
    ),
    unavailable: labelled(
      "auth_unavailable_responses_total",
      "503 service_unavailable answers by cause (database: unreachable, locked or out of connections; hashing: the password-hashing queue is full)",
      "cause",
      ["database", "hashing"],
    ),
  };
  const feedState = new Gauge({
    name: "auth_revocation_feed_state",
    help: "The revocation feed's state: 1 for the current one (pushed: LISTEN connected; local: in process; down: reconnecting)",
    labelNames: ["state"],
    registers,
  });
  new Gauge({
    name: "auth_password_hash_queue_length",
    help: "Password hashes and verifications waiting for a hashing worker",
    registers,
    collect() {
      this.set(hashingStats().queued);
    },
  });
  new Gauge({
    name: "auth_password_hashes_running",
    help: "Password hashes and verifications running now",
    registers,
    collect() {
      this.set(hashingStats().running);
    },
  });
  // A sum and a count, like a summary's: rate(wait) / rate(started) is the mean wait over any range.
  new Counter({
    name: "auth_password_hash_wait_seconds_total",
    help: "Time password hashes and verifications spent waiting for a hashing worker, summed",
    registers,
    collect() {
      this.reset();
      this.inc(hashingStats().waitedMs / 1000);
    },
  });
  new Counter({
    name: "auth_password_hashes_started_total",
    help: "Password hashes and verifications started",
    registers,
    collect() {
      this.reset();
      this.inc(hashingStats().started);
    },
  });
  new Counter({
    name: "auth_password_hashes_refused_total",
    help: "Password hashes and verifications refused at once (503) because the queue's wait was past AUTH_HASH_MAX_WAIT",
    registers,
    collect() {
      this.reset();
      this.inc(hashingStats().refused);
    },
  });
  return metrics;
}

// Next.js bundles each route on its own, so this module can be loaded several times in one process; the
// counters live on globalThis so that every copy counts into the one registry the endpoint serves.
const globalForMetrics = globalThis as unknown as { authMetrics?: ReturnType<typeof createMetrics> };

function metrics() {
  globalForMetrics.authMetrics ??= createMetrics();
  return globalForMetrics.authMetrics;
}

const REFRESH_OUTCOMES: Record<string, string> = {
  refresh_invalid: "invalid",
  refresh_expired: "expired",
  refresh_revoked: "revoked",
  refresh_reused: "reused",
};

/** Counts the logins and refreshes an auth log entry reports. */
export function countAuthEvent(entry: AuthLogEntry): void {
  const { logins, refreshes } = metrics();
  switch (entry.event) {
    case "sign_in":
      return logins.inc({ outcome: "success" });
    case "sign_in_failed":
    case "sign_in_failed_unknown_user":
      return logins.inc({ outcome: "invalid_credentials" });
    case "sign_in_throttled":
      return logins.inc({ outcome: "throttled" });
    case "token_refreshed":
      return refreshes.inc({ outcome: entry.outcome === "replayed" ? "replayed" : "rotated" });
    case "refresh_reused":
      return refreshes.inc({ outcome: "reused" });
    case "refresh_rejected":
      return refreshes.inc({ outcome: REFRESH_OUTCOMES[entry.reason ?? ""] ?? "invalid" });
  }
}

export const prometheusMetrics: AuthMetrics = {
  livenessLookup: (result) => metrics().livenessLookups.inc({ result }),
  revocationNotice: (direction) => metrics().revocationNotices.inc({ direction }),
  revocationFeed: (state) => metrics().setFeedState(state),
};

export function countUnavailable(cause: string): void {
  metrics().unavailable.inc({ cause });
}

/** The text exposition format, and its content type. */
export async function renderMetrics(): Promise<{ body: string; contentType: string }> {
  const { registry } = metrics();
  return { body: await registry.metrics(), contentType: registry.contentType };
}

/** Compares digests, so neither the time nor an early exit on length says how much of a guess was right. */
export function isMetricsToken(presented: string, expected: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
