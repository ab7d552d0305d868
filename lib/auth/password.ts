// Password hashing with argon2id. The `argon2` package hashes on libuv's thread pool, off the event loop,
// and no more hashes run at once than leave a core free for the event loop (see `limited`).
//
// Parameters: OWASP's first recommended argon2id setting is m = 19 MiB, t = 2, p = 1. We keep that memory
// and parallelism and take t = 3, one step above the minimum: about 30 ms a hash on a 2-core machine,
// which keeps a login flood from starving the server while making offline guessing expensive.
// When these change, a successful login rehashes the stored password (see `needsRehash`).
import argon2 from "argon2";
import { availableParallelism } from "node:os";

export const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19_456, // KiB = 19 MiB
  timeCost: 3,
  parallelism: 1,
} as const;

/**
 * At most one hash (or verification) per core but one runs at a time, so a login flood always leaves a
 * core to the event loop; the others wait here, first come first served. More at once would not finish
 * sooner (each keeps a core busy for its whole run: they would only take turns), but they would take
 * turns with the event loop too, since libuv's pool has 4 threads on any machine, and every other request
 * would wait. On 2 cores, during a 16-connection login flood, GET /api/me's p99 was 424 ms with 4 hashes
 * at once and is 18 ms with one, for about 15 % fewer logins a second (README, "Performance"). Each hash
 * also holds 19 MiB while it runs.
 */
const MAX_CONCURRENT_HASHES = Math.max(1, availableParallelism() - 1);
let running = 0;
const waiting: (() => void)[] = [];
const totals = { started: 0, waitedMs: 0 };

/** The hashing queue as operators see it (lib/ops/metrics.ts): now, and totals since the process started. */
export interface HashingStats {
  /** Hashes or verifications waiting for a slot. */
  queued: number;
  running: number;
  /** Hashes and verifications started, and the time they spent waiting for a slot before that. */
  started: number;
  waitedMs: number;
}

// Next.js bundles each route on its own, so this module (and its queue) can exist once per route bundle in
// one process; each copy registers itself and the stats add them all up.
const copies = ((globalThis as unknown as { keepSignedInHashingQueues?: Set<() => HashingStats> }).keepSignedInHashingQueues ??=
  new Set());
copies.add(() => ({ queued: waiting.length, running, ...totals }));

export function hashingStats(): HashingStats {
  const sum: HashingStats = { queued: 0, running: 0, started: 0, waitedMs: 0 };
  for (const stats of copies) {
    const copy = stats();
    sum.queued += copy.queued;
    sum.running += copy.running;
    sum.started += copy.started;
    sum.waitedMs += copy.waitedMs;
  }
  return sum;
}

async function limited<T>(work: () => Promise<T>): Promise<T> {
  const queuedAt = performance.now();
  if (running < MAX_CONCURRENT_HASHES) running++;
  else await new Promise<void>((resolve) => waiting.push(resolve)); // a finishing hash hands over its slot
  totals.started++;
  totals.waitedMs += performance.now() - queuedAt;
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

export function hashPassword(password: string): Promise<string> {
  return limited(() => argon2.hash(password, ARGON2_OPTIONS));
}

let dummyHash: Promise<string> | undefined;

/**
 * Checks a password against a stored hash. With no stored hash (unknown email) it verifies against a
 * dummy hash of the same parameters, so both answers take about the same time and reveal nothing.
 */
export async function verifyPassword(storedHash: string | null, password: string): Promise<boolean> {
  if (storedHash === null) {
    dummyHash ??= hashPassword("dummy password for timing equalisation");
    const hash = await dummyHash;
    await limited(() => argon2.verify(hash, password)).catch(() => false);
    return false;
  }
  try {
    return await limited(() => argon2.verify(storedHash, password));
  } catch {
    return false; // a stored hash that does not parse never signs anyone in
  }
}

export function needsRehash(storedHash: string): boolean {
  // argon2.needsRehash compares version and costs only, not the variant: check that it is argon2id too.
  if (!storedHash.startsWith("$argon2id$")) return true;
  try {
    return argon2.needsRehash(storedHash, ARGON2_OPTIONS);
  } catch {
    return true;
  }
}
