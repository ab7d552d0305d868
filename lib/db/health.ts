// Whether the database answers a trivial query in time: what `GET /api/health` reports.
import type { AuthDb } from "./auth-db";

/** A health probe must answer quickly even when the database hangs (a lock, a lost network). */
export const HEALTH_TIMEOUT_MS = 2_000;

export async function databaseIsUp(db: AuthDb, timeoutMs = HEALTH_TIMEOUT_MS): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    // Settles either way, so a query failing after the timeout won is not an unhandled rejection.
    const probe = db.$queryRaw`SELECT 1`.then(
      () => true,
      () => false,
    );
    return await Promise.race([probe, timedOut]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
