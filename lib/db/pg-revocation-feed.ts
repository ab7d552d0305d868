// The revocation feed between instances on PostgreSQL: a notice is a NOTIFY on one channel, sent by the
// database itself when a transaction that ends sessions commits (a trigger on "Session"."revokedAt", in
// prisma/postgres/migrations/*_revocation_notice_on_commit), and every instance LISTENs on a dedicated
// connection of its own (a pooled connection would be handed to other queries and stop listening). When that
// connection is lost the feed says `down` at once, so the liveness cache falls back to its short rule; it
// reconnects with back-off, and `pushed` again makes the cache start empty (notices sent meanwhile were missed).
import pg from "pg";
import { decodeNotice, type FeedListener, type FeedState, type RevocationFeed } from "../auth/revocation-feed";

export const REVOCATION_CHANNEL = "auth_revocations";
/** How the listening connection shows in pg_stat_activity (and how a test finds it to terminate it). */
export const LISTENER_APPLICATION_NAME = "keep-signed-in revocation listener";
const RETRY_FIRST_MS = 100;
const RETRY_MOST_MS = 5_000;
/**
 * A listening connection that stops answering (a network that drops packets without a reset) is found by
 * a query every HEARTBEAT_MS: one still unanswered HEARTBEAT_MISSES ticks later means the connection is
 * lost. Several ticks, not one: a busy event loop runs a due timer before it reads the answer waiting on
 * the socket.
 */
const HEARTBEAT_MS = 250;
const HEARTBEAT_MISSES = 3;

function logLine(event: string, detail: Record<string, unknown> = {}): void {
  console.error(JSON.stringify({ event, at: new Date().toISOString(), ...detail }));
}

export function postgresRevocationFeed(url: string): RevocationFeed {
  const listeners = new Set<FeedListener>();
  let state: FeedState = "down";
  let current: pg.Client | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let failures = 0;
  let started = false;
  let closed = false;

  function setState(next: FeedState): void {
    if (next === state) return;
    state = next;
    for (const listener of listeners) listener.state(next);
  }

  function lost(client: pg.Client, error?: unknown): void {
    if (client !== current) return; // an older connection's late 'end', or the second of 'error' and 'end'
    current = undefined;
    clearInterval(heartbeat);
    client.end().catch(() => undefined);
    if (state === "pushed") logLine("revocation_feed_lost", { error: error instanceof Error ? error.message : undefined });
    setState("down");
    if (closed || retry) return;
    const delay = Math.min(RETRY_MOST_MS, RETRY_FIRST_MS * 2 ** failures++) * (0.5 + Math.random() / 2);
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, delay);
    retry.unref();
  }

  async function connect(): Promise<void> {
    if (closed) return;
    const client = new pg.Client({ connectionString: url, application_name: LISTENER_APPLICATION_NAME, keepAlive: true });
    current = client;
    client.on("error", (error) => lost(client, error));
    client.on("end", () => lost(client));
    client.on("notification", (message) => {
      const notice = message.channel === REVOCATION_CHANNEL && message.payload ? decodeNotice(message.payload) : null;
      if (notice) for (const listener of listeners) listener.notice(notice);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${REVOCATION_CHANNEL}`);
    } catch (error) {
      lost(client, error);
      return;
    }
    if (client !== current) return;
    if (failures > 0) logLine("revocation_feed_back");
    failures = 0;
    let unanswered = 0;
    heartbeat = setInterval(() => {
      if (unanswered > 0) {
        if (++unanswered > HEARTBEAT_MISSES) lost(client, new Error("the listening connection stopped answering"));
        return;
      }
      unanswered = 1;
      client.query("SELECT 1").then(
        () => (unanswered = 0),
        (error: unknown) => lost(client, error),
      );
    }, HEARTBEAT_MS);
    heartbeat.unref();
    setState("pushed");
  }

  return {
    get state() {
      return state;
    },
    async publish() {
      // Nothing is left to send: the database sent one notice per ended session when the revocation
      // committed. Sent from here, after the commit, a notice would be lost with a process that died in
      // between, and a cached session would outlive its revocation until its access token expired.
    },
    subscribe(listener) {
      listeners.add(listener);
      // The listening connection opens with the first subscriber: a process that only publishes (the
      // admin command) never holds one.
      if (!started) {
        started = true;
        void connect();
      }
      return () => listeners.delete(listener);
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      clearInterval(heartbeat);
      const client = current;
      current = undefined;
      listeners.clear();
      await client?.end().catch(() => undefined);
    },
  };
}
