// The cleanup on a timer inside the server process (started from instrumentation.ts). Each pass deletes at
// most AUTH_CLEANUP_BATCH rows of each kind, so it never holds the database long enough to stall a
// request; when a pass hits that limit, the next one follows a second later until the backlog is gone.
import { hasMoreWork, pruneOnce } from "../auth/retention";
import { authApp } from "../app/service";

/** The first pass comes soon after start, so a server restarted more often than the interval still cleans. */
const FIRST_PASS_MAX_DELAY_S = 60;
const BACKLOG_PAUSE_MS = 1_000;

const globalForCleanup = globalThis as unknown as { authCleanupScheduled?: boolean };

/** On this server's own app (lib/app), so the passes use the store and the logger the requests use. */
export async function scheduleCleanup(): Promise<void> {
  const { config, store, log } = await authApp();
  if (config.cleanupInterval === 0 || globalForCleanup.authCleanupScheduled) return;
  globalForCleanup.authCleanupScheduled = true;
  let running = false;

  async function pass(): Promise<void> {
    if (running) return; // a slow pass is never overlapped by the next one
    running = true;
    let more = false;
    try {
      more = hasMoreWork(await pruneOnce(store, config, new Date(), log), config);
    } catch (error) {
      log({ event: "cleanup_failed", level: "warn", at: new Date(), reason: "database_error" });
      console.error("Cleanup pass failed:", error);
    } finally {
      running = false;
    }
    if (more) setTimeout(pass, BACKLOG_PAUSE_MS).unref();
  }

  // unref(): the timers never keep the process alive on their own.
  setTimeout(pass, Math.min(config.cleanupInterval, FIRST_PASS_MAX_DELAY_S) * 1000).unref();
  setInterval(pass, config.cleanupInterval * 1000).unref();
}
