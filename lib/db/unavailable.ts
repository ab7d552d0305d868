// Telling "the database is unreachable or busy" apart from a bug. Such failures become 503
// `service_unavailable` with Retry-After: the request can simply be tried again, and nothing was half done
// (every write of the store is one statement or one transaction).
import type { AuthStore } from "../auth/store";
import { AuthError } from "../auth/errors";

/** Seconds a client should wait before trying again. */
export const RETRY_AFTER_SECONDS = 2;

// Prisma: P1001 cannot reach, P1002 timed out reaching, P1008 operation timed out, P1017 connection closed,
// P2024 no connection from the pool in time, P2028 a transaction that could not start (or finish) in
// time, P2034 write conflict or deadlock.
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2028", "P2034"]);
// Driver adapters' error kinds, and the underlying drivers' codes.
const DRIVER_KINDS = new Set(["DatabaseNotReachable", "SocketTimeout", "ConnectionClosed", "TooManyConnections", "TransactionWriteConflict"]);
const DRIVER_CODES = new Set(["SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_IOERR", "SQLITE_CANTOPEN", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "57P01", "57P02", "57P03", "53300"]);
// node-postgres's own failures carry no code, only these messages: no pool connection in time, and a
// connection lost mid-query.
const PG_MESSAGES = new Set(["timeout exceeded when trying to connect", "Connection terminated unexpectedly", "Connection terminated due to connection timeout"]);

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== "object" || error === null || depth > 5) return false;
  const candidate = error as { code?: unknown; kind?: unknown; originalCode?: unknown; cause?: unknown; meta?: unknown };
  if (typeof candidate.code === "string" && (PRISMA_CODES.has(candidate.code) || DRIVER_CODES.has(candidate.code))) return true;
  if (typeof candidate.kind === "string" && DRIVER_KINDS.has(candidate.kind)) return true;
  if (typeof candidate.originalCode === "string" && DRIVER_CODES.has(candidate.originalCode)) return true;
  if (error instanceof Error && PG_MESSAGES.has(error.message)) return true;
  const meta = candidate.meta as { driverAdapterError?: unknown } | undefined;
  return isDatabaseUnavailable(candidate.cause, depth + 1) || isDatabaseUnavailable(meta?.driverAdapterError, depth + 1);
}

/** An outage error as AuthError("service_unavailable"), logged; any other error as it is. */
export function reportedUnavailable(error: unknown): unknown {
  if (!isDatabaseUnavailable(error)) return error;
  console.error(JSON.stringify({ event: "database_unavailable", at: new Date().toISOString(), error: describe(error) }));
  return new AuthError("service_unavailable", { retryAfter: RETRY_AFTER_SECONDS, unavailableCause: "database" });
}

/** The same store, whose outage errors arrive as AuthError("service_unavailable"). */
export function reportingUnavailable(store: AuthStore): AuthStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        try {
          return await value.apply(target, args);
        } catch (error) {
          throw reportedUnavailable(error);
        }
      };
    },
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message.split("\n").filter(Boolean).at(-1) ?? ""}` : String(error);
}
