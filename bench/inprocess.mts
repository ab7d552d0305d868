// Figures of the core alone, in this process, with no HTTP in between: what each request's own work costs.
import { importSigningKey, signAccessToken, verifyAccessToken } from "../lib/auth/access-token";
import { loadAuthConfig } from "../lib/auth/config";
import argon2 from "argon2";
import { ARGON2_OPTIONS, hashPassword, setHashingLimits } from "../lib/auth/password";
import { AuthService } from "../lib/auth/service";
import { openTempDatabase } from "../tests/support/temp-database";

const SECRET = "in-process benchmark secret, at least 32 bytes long";
const config = loadAuthConfig({});

/** Calls `step` back to back for `seconds` and returns calls per second. */
async function rate(seconds: number, step: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  const end = start + seconds * 1000;
  let count = 0;
  while (performance.now() < end) {
    await step();
    count++;
  }
  return count / ((performance.now() - start) / 1000);
}

/**
 * verifyAccessToken with the key imported once, as the server does: `first` over tokens it has never seen
 * (the signature is checked), `repeat` for one token presented again and again, as a browser does (its
 * verified signature is remembered; only the time claims are checked).
 */
export async function verificationsPerSecond(seconds: number): Promise<{ first: number; repeat: number }> {
  const key = await importSigningKey(SECRET);
  const now = new Date();
  const expiresAt = new Date(now.getTime() + 900_000);
  const tokens = await Promise.all(
    Array.from({ length: 2_000 }, (_, i) => signAccessToken({ userId: "u", sessionId: `s${i}` }, expiresAt, now, key, config)),
  );
  const verify = async (token: string) => {
    if (!(await verifyAccessToken(token, [key], config, new Date())).ok) throw new Error("a benchmark token did not verify");
  };
  const start = performance.now();
  for (const token of tokens) await verify(token);
  const first = tokens.length / ((performance.now() - start) / 1000);
  return { first, repeat: await rate(seconds, () => verify(tokens[0]!)) };
}

/** AuthService.refresh against a real temporary SQLite store: one rotation after another in one session. */
export async function rotationsPerSecond(seconds: number): Promise<number> {
  const temp = openTempDatabase();
  try {
    const service = new AuthService({ config, store: temp.store, signingKey: await importSigningKey(SECRET), secret: SECRET });
    let token = (await service.register({ email: "rotate@example.test", password: "long enough password" }, { ip: null, userAgent: null })).refreshToken;
    return await rate(seconds, async () => {
      token = (await service.refresh(token)).refreshToken;
    });
  } finally {
    await temp.dispose();
  }
}

/** Median wall time of one hash, ms, one at a time. */
export async function hashMilliseconds(count: number): Promise<number> {
  const times: number[] = [];
  await hashPassword("warm-up password");
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await hashPassword(`password number ${i}`);
    times.push(performance.now() - start);
  }
  return median(times);
}

/**
 * Hashes a second with `concurrency` hashes always in flight, as `concurrency` logins would have, through
 * hashPassword (its pool of low-priority worker processes) or, with `raw`, straight into argon2 in this
 * process (as many at once as libuv's pool has threads, every core busy): the machine's hashing capacity.
 */
export async function hashesPerSecond(seconds: number, concurrency: number, raw = false): Promise<number> {
  setHashingLimits({ maxWaitSeconds: 60 }); // a rate, not the queue's bound, is measured here
  const hash = raw ? (password: string) => argon2.hash(password, ARGON2_OPTIONS) : hashPassword;
  const start = performance.now();
  const end = start + seconds * 1000;
  let count = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, i) => {
      while (performance.now() < end) {
        await hash(`password number ${i}`);
        count++;
      }
    }),
  );
  return count / ((performance.now() - start) / 1000);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
