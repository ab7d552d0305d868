// How instances tell each other that sessions ended, as a port: the service publishes a notice after every
// revocation, and every instance's liveness cache drops what the notice names. lib/db/pg-revocation-feed.ts
// carries notices between instances with PostgreSQL's LISTEN/NOTIFY, sent by the database as the revocation
// commits; on SQLite (one server) they stay in process (inProcessFeed).

/** Which sessions ended: some by id, every session of an account, or every session there is. */
export type RevocationNotice = { sessionIds: string[] } | { userId: string } | { all: true };

/**
 * - `pushed`: every instance's notices arrive here, so a liveness answer may be kept until the access token
 *   it was checked for expires;
 * - `local`: only this process's notices arrive (SQLite, tests), so another process's revocation (the admin
 *   command) is seen by re-reading, and a cached answer lives LIVENESS_CACHE_MS;
 * - `down`: the listening connection is lost and being re-opened; as `local` until it is back, and when it
 *   is, the cache is cleared (a notice may have been missed).
 */
export type FeedState = "pushed" | "local" | "down";

export interface FeedListener {
  notice(notice: RevocationNotice): void;
  state(state: FeedState): void;
}

export interface RevocationFeed {
  readonly state: FeedState;
  /**
   * Tells every instance, this one included, once the revocation is written. A feed whose database sends
   * the notices as the revocation commits (PostgreSQL) has nothing left to do.
   */
  publish(notice: RevocationNotice): Promise<void>;
  /** Returns the unsubscribe. */
  subscribe(listener: FeedListener): () => void;
  close(): Promise<void>;
}

/** Notices within this process only: what one SQLite server needs, and the default for tests and scripts. */
export function inProcessFeed(): RevocationFeed {
  const listeners = new Set<FeedListener>();
  return {
    state: "local",
    async publish(notice) {
      for (const listener of listeners) listener.notice(notice);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
    },
  };
}

/** A notice as it travels (a NOTIFY payload is JSON text); anything else received is null. */
export function decodeNotice(text: string): RevocationNotice | null {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null) return null;
    const record = value as Record<string, unknown>;
    if (record.all === true) return { all: true };
    if (typeof record.userId === "string") return { userId: record.userId };
    if (Array.isArray(record.sessionIds) && record.sessionIds.every((id) => typeof id === "string")) {
      return { sessionIds: record.sessionIds as string[] };
    }
    return null;
  } catch {
    return null;
  }
}
