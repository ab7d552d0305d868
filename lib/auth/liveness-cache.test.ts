import { describe, expect, it } from "vitest";
import { LIVENESS_CACHE_MS, LivenessCache } from "./liveness-cache";
import { noMetrics, type AuthMetrics } from "./metrics";
import type { SessionWithUser } from "./store";

const T0 = new Date("2030-01-01T00:00:00.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const TOKEN_EXPIRES = at(900_000);

function sessionOf(id: string, userId = "u1"): SessionWithUser {
  return {
    session: { id, userId, createdAt: T0, lastUsedAt: T0, absoluteExpiresAt: at(9e9), idleExpiresAt: at(9e9), revokedAt: null, revokedReason: null, userAgent: null, ip: null },
    user: { id: userId, email: `${userId}@example.com` },
  };
}

function counted() {
  const lookups = { hit: 0, miss: 0 };
  const metrics: AuthMetrics = { ...noMetrics, livenessLookup: (result) => lookups[result]++ };
  return { lookups, cache: new LivenessCache(metrics, 3) };
}

function put(cache: LivenessCache, id: string, fetchedAt = T0, userId?: string) {
  cache.set(id, sessionOf(id, userId), fetchedAt, cache.ticket(), TOKEN_EXPIRES);
}

describe("LivenessCache", () => {
  it("answers for LIVENESS_CACHE_MS without pushed notices, and counts hits and misses", () => {
    const { cache, lookups } = counted();
    cache.feedState("local");
    expect(cache.get("s1", T0)).toBeUndefined();
    put(cache, "s1");
    expect(cache.get("s1", at(LIVENESS_CACHE_MS - 1))?.session.id).toBe("s1");
    expect(cache.get("s1", at(LIVENESS_CACHE_MS))).toBeUndefined();
    expect(lookups).toEqual({ hit: 1, miss: 2 });
  });

  it("with pushed notices keeps an answer until the access token it was checked for expires", () => {
    const { cache } = counted();
    cache.feedState("pushed");
    put(cache, "s1");
    expect(cache.get("s1", at(TOKEN_EXPIRES.getTime() - T0.getTime() - 1))).toBeDefined();
    expect(cache.get("s1", TOKEN_EXPIRES)).toBeUndefined();
  });

  it("falls back to the short rule the moment the feed goes down, and starts empty when it is back", () => {
    const { cache } = counted();
    cache.feedState("pushed");
    put(cache, "s1");
    put(cache, "s2", at(LIVENESS_CACHE_MS + 100));
    cache.feedState("down");
    expect(cache.get("s1", at(LIVENESS_CACHE_MS + 200))).toBeUndefined();
    expect(cache.get("s2", at(LIVENESS_CACHE_MS + 200))).toBeDefined();
    cache.feedState("pushed");
    expect(cache.size).toBe(0);
  });

  it("does not keep long an answer read while a notice arrived: it may hold what the notice ended", () => {
    const { cache } = counted();
    cache.feedState("pushed");
    const ticket = cache.ticket();
    cache.drop({ sessionIds: ["s1"] }); // arrives while the read of s1 is under way
    cache.set("s1", sessionOf("s1"), T0, ticket, TOKEN_EXPIRES);
    expect(cache.get("s1", at(LIVENESS_CACHE_MS - 1))).toBeDefined();
    expect(cache.get("s1", at(LIVENESS_CACHE_MS))).toBeUndefined();
  });

  it("drops the sessions a notice names: by id, by account, or all", () => {
    const { cache } = counted();
    cache.feedState("pushed");
    put(cache, "a1", T0, "alice");
    put(cache, "a2", T0, "alice");
    put(cache, "b1", T0, "bob");
    cache.drop({ sessionIds: ["a1"] });
    expect(cache.get("a1", T0)).toBeUndefined();
    cache.drop({ userId: "alice" });
    expect(cache.get("a2", T0)).toBeUndefined();
    expect(cache.get("b1", T0)).toBeDefined();
    cache.drop({ all: true });
    expect(cache.size).toBe(0);
  });

  it("is bounded: a new session beyond the bound pushes out the oldest answer", () => {
    const { cache } = counted();
    for (const id of ["s1", "s2", "s3", "s4"]) put(cache, id);
    expect(cache.size).toBe(3);
    expect(cache.get("s1", T0)).toBeUndefined();
    expect(cache.get("s4", T0)).toBeDefined();
  });

  it("never trusts an answer from the future (a clock set back)", () => {
    const { cache } = counted();
    cache.feedState("pushed");
    put(cache, "s1", at(10_000));
    expect(cache.get("s1", T0)).toBeUndefined();
  });
});
