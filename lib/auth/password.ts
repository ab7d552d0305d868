// Password hashing with argon2id, in a pool of worker processes (scripts/hash-worker.mjs), one per core,
// started at a low OS priority: the scheduler runs the event loop first whenever it has work, and the
// hashes get every cycle left over. A login flood therefore uses every idle core without slowing anyone's
// other requests. The queue in front of the workers is fair between requesters (each hash names who asked,
// a client address for a login: they take turns), and each job is bounded by the wait it implies in that
// order (see setHashingLimits): past it a hash is refused at once with a 503 and Retry-After. A flood from
// one address then waits behind its own backlog and gets the 503s, while anyone else's login waits for a
// hash or two; a flood from many addresses is bounded as a whole.
//
// Parameters: OWASP's first recommended argon2id setting is m = 19 MiB, t = 2, p = 1. We keep that memory
// and parallelism and take t = 3, one step above the minimum, which makes offline guessing expensive while
// a hash stays short (README, "Performance"). When these change, a successful login rehashes the stored
// password (see `needsRehash`).
import argon2 from "argon2";
import { fork, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism, setPriority } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { AuthError } from "./errors";
import { RequesterTurns } from "./turns";

export const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19_456, // KiB = 19 MiB
  timeCost: 3,
  parallelism: 1,
} as const;

/** The workers' niceness: far below the event loop's (it wins a shared core about nine times in ten), yet not so low that unrelated jobs on the machine starve the hashes. */
const WORKER_NICENESS = 10;
/** What a hash is assumed to take until the pool has timed some (then a moving average of real ones). */
const FIRST_ESTIMATE_MS = 50;
const DEFAULT_MAX_WAIT_MS = 10_000; // AUTH_HASH_MAX_WAIT's default

/** The hashing queue as operators see it (lib/ops/metrics.ts): now, and totals since the process started. */
export interface HashingStats {
  /** Hashes or verifications waiting for a worker. */
  queued: number;
  running: number;
  /** Hashes and verifications started, and the time they spent waiting for a worker before that. */
  started: number;
  waitedMs: number;
  /** Refused at once because the queue's wait was past its bound (answered 503 with Retry-After). */
  refused: number;
}

/** Jobs of different requesters (a login's client address) take turns (RequesterTurns). */
interface Job {
  kind: "hash" | "verify";
  password: string;
  hash?: string;
  queuedAt: number;
  resolve(value: string | boolean): void;
  reject(error: unknown): void;
}

interface Reply {
  id: number;
  ok: boolean;
  value?: string | boolean;
  error?: string;
  /** What the hash took in the worker. */
  ms: number;
}

function hashingBusy(retryAfterSeconds: number): AuthError {
  return new AuthError("service_unavailable", {
    message: "The server is busy checking passwords. Please try again in a moment.",
    retryAfter: Math.max(1, Math.ceil(retryAfterSeconds)),
    unavailableCause: "hashing",
  });
}

/** The worker script: beside this module in the source tree, else in the project folder (a Next.js build). */
function workerScript(): string {
  const candidates = [path.join(process.cwd(), "scripts", "hash-worker.mjs")];
  try {
    // Not a literal: the bundler must not copy the script away from the node_modules it imports from.
    candidates.unshift(fileURLToPath(new URL(["..", "..", "scripts", "hash-worker.mjs"].join("/"), import.meta.url)));
  } catch {
    // no file URL for this module (bundled): the project folder's copy
  }
  return candidates.find((candidate) => existsSync(candidate)) ?? candidates.at(-1)!;
}

class Worker {
  private readonly child: ChildProcess;
  private job: { id: number; job: Job } | undefined;
  private nextId = 0;

  constructor(private readonly pool: HashPool) {
    this.child = fork(workerScript(), [], { stdio: ["ignore", "inherit", "inherit", "ipc"], serialization: "json" });
    try {
      if (this.child.pid !== undefined) setPriority(this.child.pid, WORKER_NICENESS);
    } catch {
      // not allowed here: the hashes then compete at normal priority, still bounded by the queue
    }
    this.child.on("message", (reply: Reply) => this.settle(reply));
    this.child.on("exit", () => this.pool.lost(this, this.take()));
    this.child.on("error", () => this.child.kill());
    this.idle();
  }

  get busy(): boolean {
    return this.job !== undefined;
  }

  run(job: Job): void {
    const id = ++this.nextId;
    this.job = { id, job };
    this.child.channel?.ref(); // a pending hash keeps a script (the admin command) alive until it is done
    this.child.send({ id, kind: job.kind, password: job.password, hash: job.hash, options: ARGON2_OPTIONS });
  }

  stop(): void {
    this.child.kill();
  }

  private settle(reply: Reply): void {
    const running = this.job;
    if (!running || running.id !== reply.id) return;
    this.take();
    this.pool.finished(this, reply.ms);
    if (reply.ok) running.job.resolve(reply.value!);
    // A stored hash that does not parse never signs anyone in; a hash that fails is a bug.
    else if (running.job.kind === "verify") running.job.resolve(false);
    else running.job.reject(new Error(`argon2 hash failed: ${reply.error}`));
  }

  private take(): Job | undefined {
    const running = this.job;
    this.job = undefined;
    this.idle();
    return running?.job;
  }

  /** An idle worker holds its parent open for nothing: a server exits, a test run ends. */
  private idle(): void {
    this.child.unref();
    this.child.channel?.unref();
  }
}

class HashPool {
  private readonly size = availableParallelism();
  private readonly workers: Worker[] = [];
  private readonly queue = new RequesterTurns<Job>();
  private averageMs = FIRST_ESTIMATE_MS;
  maxWaitMs = DEFAULT_MAX_WAIT_MS;
  readonly totals = { started: 0, waitedMs: 0, refused: 0 };

  constructor() {
    process.once("exit", () => this.workers.forEach((worker) => worker.stop()));
  }

  stats(): HashingStats {
    return { queued: this.queue.length, running: this.workers.filter((worker) => worker.busy).length, ...this.totals };
  }

  /**
   * Seconds a new job of `key` would wait before a worker takes it, when that is past the bound; else 0.
   * Taking turns, it starts after its requester's own backlog and, meanwhile, as many jobs of each other
   * requester (or all they have, if fewer).
   */
  refusal(key: string): number {
    const waitMs = (this.queue.ahead(key) / this.size) * this.averageMs;
    return waitMs > this.maxWaitMs ? waitMs / 1000 : 0;
  }

  submit(key: string, kind: Job["kind"], password: string, hash?: string): Promise<string | boolean> {
    const refusal = this.refusal(key);
    if (refusal > 0) {
      this.totals.refused++;
      return Promise.reject(hashingBusy(refusal));
    }
    return new Promise((resolve, reject) => {
      this.queue.push(key, { kind, password, hash, queuedAt: performance.now(), resolve, reject });
      this.dispatch();
    });
  }

  /**
   * `hashMs` is the worker's own time for the hash. Timed from here it would also hold however long the
   * event loop took to hear of it, which during a burst of requests is seconds: that is not the pool's
   * pace, and an estimate built on it refused people whose turn was a few hashes away.
   */
  finished(worker: Worker, hashMs: number): void {
    this.averageMs = this.averageMs * 0.8 + hashMs * 0.2;
    this.dispatch(worker);
  }

  /** A worker died (killed, out of memory): its job gets a 503 and a new worker is started when needed. */
  lost(worker: Worker, job: Job | undefined): void {
    this.workers.splice(this.workers.indexOf(worker), 1);
    job?.reject(hashingBusy(1));
    this.dispatch();
  }

  private dispatch(free?: Worker): void {
    while (this.queue.length > 0) {
      let worker = free && !free.busy ? free : this.workers.find((candidate) => !candidate.busy);
      if (!worker && this.workers.length < this.size) {
        worker = new Worker(this);
        this.workers.push(worker);
      }
      if (!worker) return;
      const job = this.queue.shift()!;
      this.totals.started++;
      this.totals.waitedMs += performance.now() - job.queuedAt;
      worker.run(job);
      free = undefined;
    }
  }
}

// Next.js bundles this module once per route, so the pool (its workers, queue and bound) lives on
// globalThis: one per process, whichever route hashes.
const globalForHashing = globalThis as unknown as { keepSignedInHashPool?: HashPool; keepSignedInDummyHash?: Promise<string> };

function pool(): HashPool {
  return (globalForHashing.keepSignedInHashPool ??= new HashPool());
}

export function hashingStats(): HashingStats {
  return globalForHashing.keepSignedInHashPool?.stats() ?? { queued: 0, running: 0, started: 0, waitedMs: 0, refused: 0 };
}

/** The queue's bound: the longest wait for a worker a new hash may be given (AUTH_HASH_MAX_WAIT). */
export function setHashingLimits(limits: { maxWaitSeconds: number }): void {
  pool().maxWaitMs = limits.maxWaitSeconds * 1000;
}

/** Requesters that name nobody (a sign-up, a reset, the admin command) share one turn. */
const ANYONE = "";

/**
 * Throws 503 `service_unavailable` with Retry-After when a hash asked for now by `requester` would be
 * refused: a caller that writes something before hashing (a login's reservation) asks first, so a refused
 * flood writes nothing.
 */
export function assertHashingCapacity(requester = ANYONE): void {
  const refusal = globalForHashing.keepSignedInHashPool?.refusal(requester) ?? 0;
  if (refusal > 0) throw hashingBusy(refusal);
}

export async function hashPassword(password: string, requester = ANYONE): Promise<string> {
  return (await pool().submit(requester, "hash", password)) as string;
}

/**
 * Checks a password against a stored hash. With no stored hash (unknown email) it verifies against a
 * dummy hash of the same parameters, so both answers take about the same time and reveal nothing. A full
 * queue throws 503 (AuthError) in both cases alike. `requester` is who takes a turn in the queue.
 */
export async function verifyPassword(storedHash: string | null, password: string, requester = ANYONE): Promise<boolean> {
  const hash = storedHash ?? (await dummyHash());
  return (await pool().submit(requester, "verify", password, hash)) === true && storedHash !== null;
}

function dummyHash(): Promise<string> {
  globalForHashing.keepSignedInDummyHash ??= hashPassword("dummy password for timing equalisation").catch((error: unknown) => {
    globalForHashing.keepSignedInDummyHash = undefined; // refused (a full queue): made on a later try
    throw error;
  });
  return globalForHashing.keepSignedInDummyHash;
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
