// Where the per-address bounds are counted, so that N instances allow a bound once, not N times: in Redis
// when REDIS_URL is set, in PostgreSQL when the app runs on it, in memory on SQLite (one instance).
// rate-limiter-flexible does the counting; this module picks its store and what happens when the store
// is down: each limiter is insured by an in-memory twin, so an outage degrades the bound to a per-instance
// count with a warning in the logs, never to an error for the person signing in.
import { Redis } from "ioredis";
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  type RateLimiterAbstract,
  type RateLimiterRes,
} from "rate-limiter-flexible";
import type { AuthConfig } from "../auth/config";
import { database } from "../db/client";

export type RateLimitStore = "redis" | "postgresql" | "memory";

export interface RateLimiterOptions {
  /** Names the bound in keys and logs: `refresh`, `register`, `forgot`, `login-ip`… */
  name: string;
  /** Requests allowed per window. */
  points: number;
  /** The window, seconds. */
  durationSeconds: number;
}

/** The same table every instance writes (prisma/schema.prisma, model RateLimit). */
const POSTGRES_TABLE = "RateLimit";
/** A Redis command that takes longer than this fails over to the in-memory count. */
const REDIS_COMMAND_TIMEOUT_MS = 500;
/** How long the first requests of a process wait for its Redis connection. */
const FIRST_CONNECTION_WAIT_MS = 1_000;
/** While a store stays down, its warning is repeated at most this often. */
const WARNING_INTERVAL_MS = 60_000;

export function rateLimitStoreOf(config: Pick<AuthConfig, "redisUrl">, dialect = database().dialect): RateLimitStore {
  if (config.redisUrl) return "redis";
  return dialect === "postgresql" ? "postgresql" : "memory";
}

/**
 * A limiter counted where `rateLimitStoreOf` says. Call `consume(key)`: it resolves while the key is
 * within the bound and rejects with a `RateLimiterRes` (its `msBeforeNext` is the wait) past it.
 */
export function createRateLimiter(options: RateLimiterOptions, config: Pick<AuthConfig, "redisUrl" | "redisKeyPrefix">): RateLimiterAbstract {
  const base = { keyPrefix: options.name, points: options.points, duration: options.durationSeconds };
  const store = rateLimitStoreOf(config);
  if (store === "memory") return new RateLimiterMemory(base);
  const insuranceLimiter = new InsuranceLimiter(base, store);
  if (store === "redis") {
    return new SharedRedisLimiter({
      ...base,
      keyPrefix: `${config.redisKeyPrefix}${options.name}`,
      storeClient: redisClient(config.redisUrl!),
      // Not connected: straight to the in-memory count instead of queueing the command.
      rejectIfRedisNotReady: true,
      insuranceLimiter,
    });
  }
  const pool = database().pool;
  if (!pool) throw new Error("a PostgreSQL rate limiter needs the PostgreSQL pool");
  return new RateLimiterPostgres({
    ...base,
    storeClient: pool,
    storeType: "pool",
    tableName: POSTGRES_TABLE,
    tableCreated: true, // by the migration
    insuranceLimiter,
  });
}

/**
 * Waits for the process's first Redis connection before its first count (at most a second), so the
 * requests that arrive while it is being made are counted in Redis too, not in the insurance. Later, a
 * connection that is down fails over at once.
 */
class SharedRedisLimiter extends RateLimiterRedis {
  private readonly firstConnection: Promise<void>;

  constructor(options: ConstructorParameters<typeof RateLimiterRedis>[0] & { storeClient: Redis }) {
    super(options);
    const client = options.storeClient;
    this.firstConnection = new Promise((resolve) => {
      if (client.status === "ready") return resolve();
      client.once("ready", () => resolve());
      setTimeout(resolve, FIRST_CONNECTION_WAIT_MS).unref();
    });
  }

  override async consume(key: string | number, points?: number, options?: Record<string, unknown>): Promise<RateLimiterRes> {
    await this.firstConnection;
    return super.consume(key, points, options);
  }
}

/** The in-memory count used while the shared store fails; says so in the logs when it takes over. */
class InsuranceLimiter extends RateLimiterMemory {
  private warnedAt = 0;

  constructor(
    options: ConstructorParameters<typeof RateLimiterMemory>[0],
    private readonly store: RateLimitStore,
  ) {
    super(options);
  }

  override consume(key: string | number, points?: number, options?: Record<string, unknown>): Promise<RateLimiterRes> {
    const now = Date.now();
    if (now - this.warnedAt >= WARNING_INTERVAL_MS) {
      this.warnedAt = now;
      warn({ event: "rate_limit_store_unavailable", store: this.store, bound: this.keyPrefix, fallback: "memory" });
    }
    return super.consume(key, points, options);
  }
}

function warn(fields: Record<string, string>): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: "warn", ...fields })}\n`);
}

const globalForRedis = globalThis as unknown as { rateLimitRedis?: Map<string, Redis> };

/** One connection per process and URL, reconnecting by itself; commands fail fast while it is down. */
function redisClient(url: string): Redis {
  const clients = (globalForRedis.rateLimitRedis ??= new Map());
  let client = clients.get(url);
  if (!client) {
    const created = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
      connectTimeout: 2_000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
    });
    let reportedAt = 0;
    // Without a listener ioredis prints every failed reconnect; the limiters' warning already says it.
    created.on("error", (error: Error) => {
      if (Date.now() - reportedAt < WARNING_INTERVAL_MS) return;
      reportedAt = Date.now();
      warn({ event: "redis_connection_error", error: error.message });
    });
    clients.set(url, created);
    client = created;
  }
  return client;
}
