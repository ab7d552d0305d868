// Figures of the core alone, in this process, with no HTTP in between: what each request's own work costs.
import { importSigningKey, signAccessToken, verifyAccessToken } from "../lib/auth/access-token";
import { loadAuthConfig } from "../lib/auth/config";
import { hashPassword } from "../lib/auth/password";
import { AuthService } from "../lib/auth/service";
import { openTempDatabase } from "../lib/db/temp-database";

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

/** verifyAccessToken with the key imported once, as the server does. */
export async function verificationsPerSecond(seconds: number): Promise<number> {
  const key = await importSigningKey(SECRET);
  const now = new Date();
  const token = await signAccessToken({ userId: "u", sessionId: "s" }, new Date(now.getTime() + 900_000), now, key, config);
  return rate(seconds, async () => {
    const verified = await verifyAccessToken(token, [key], config, new Date());
    if (!verified.ok) throw new Error("the benchmark token did not verify");
  });
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

/** Hashes a second with `concurrency` hashes always in flight, as `concurrency` logins would have. */
export async function hashesPerSecond(seconds: number, concurrency: number): Promise<number> {
  const start = performance.now();
  const end = start + seconds * 1000;
  let count = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, i) => {
      while (performance.now() < end) {
        await hashPassword(`password number ${i}`);
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
