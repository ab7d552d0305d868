import argon2 from "argon2";
import { describe, expect, it } from "vitest";
import { isAuthError } from "./errors";
import { ARGON2_OPTIONS, hashPassword, hashingStats, needsRehash, setHashingLimits, verifyPassword } from "./password";

/** `$argon2id$v=19$m=19456,p=1,t=3$salt$hash` → its variant, version and parameters. */
function describeHash(hash: string) {
  const [, variant, version, params] = hash.split("$");
  return {
    variant,
    version,
    params: Object.fromEntries((params ?? "").split(",").map((pair) => pair.split("="))),
  };
}

describe("password hashing", () => {
  it("hashes with argon2id, m=19456, t=3, p=1, and a fresh salt each time", async () => {
    const first = await hashPassword("correct horse");
    const second = await hashPassword("correct horse");
    expect(describeHash(first)).toEqual({
      variant: "argon2id",
      version: "v=19",
      params: { m: "19456", t: "3", p: "1" },
    });
    expect(second).not.toBe(first);
  });

  it("verifies the right password and refuses a wrong one", async () => {
    const hash = await hashPassword("correct horse");
    expect(await verifyPassword(hash, "correct horse")).toBe(true);
    expect(await verifyPassword(hash, "correct horsf")).toBe(false);
    expect(await verifyPassword(hash, "Correct horse")).toBe(false);
  });

  it("returns false for an unknown user (no stored hash), whatever the password", async () => {
    expect(await verifyPassword(null, "dummy password for timing equalisation")).toBe(false);
    expect(await verifyPassword(null, "anything at all")).toBe(false);
  });

  it("finishes many hashes and verifications started at once, failed ones included (they queue for a slot)", async () => {
    const hashes = await Promise.all(Array.from({ length: 6 }, (_, i) => hashPassword(`password ${i}`)));
    const results = await Promise.all([
      ...hashes.map((hash, i) => verifyPassword(hash, `password ${i}`)),
      verifyPassword(hashes[0]!, "wrong password"),
      verifyPassword("not a hash", "password 0"),
      verifyPassword(null, "password 0"),
    ]);
    expect(results).toEqual([true, true, true, true, true, true, false, false, false]);
    expect(await verifyPassword(hashes[1]!, "password 1")).toBe(true); // no slot was lost to a failure
  });

  it("refuses past the queue's bound at once with 503, and one requester's backlog never holds up another's", async () => {
    const hash = await hashPassword("correct horse");
    setHashingLimits({ maxWaitSeconds: 1 });
    try {
      const flood = Array.from({ length: 200 }, (_, i) =>
        verifyPassword(hash, `guess ${i}`, "ip:198.51.100.66").then(
          () => "checked",
          (error: unknown) => (isAuthError(error) ? `${error.status} ${error.code} ${error.retryAfter! >= 1}` : "other"),
        ),
      );
      expect(await verifyPassword(hash, "correct horse", "ip:203.0.113.10")).toBe(true);
      const outcomes = await Promise.all(flood);
      expect(new Set(outcomes)).toEqual(new Set(["checked", "503 service_unavailable true"]));
      expect(hashingStats()).toMatchObject({ queued: 0, running: 0 });
    } finally {
      setHashingLimits({ maxWaitSeconds: 2 });
    }
  });

  it("judges a newcomer's wait by what hashes take, not by how long a busy event loop took to hear of them", async () => {
    // What a burst of logins does to the server: the event loop is busy parsing requests while the workers
    // finish hashes, and their replies wait. Those waits are not the hashing pool's pace; a person who
    // signs in next must still get in while the queue ahead of them is short.
    const hash = await hashPassword("correct horse");
    setHashingLimits({ maxWaitSeconds: 5 });
    try {
      const burst = Array.from({ length: 30 }, (_, i) => verifyPassword(hash, `guess ${i}`, `ip:198.18.0.${i}`));
      const busyUntil = performance.now() + 1_500;
      while (performance.now() < busyUntil); // the event loop held, as by a burst of requests to parse
      await Promise.race(burst); // the replies that waited are heard
      await new Promise((resolve) => setImmediate(resolve));
      expect(await verifyPassword(hash, "correct horse", "ip:203.0.113.10")).toBe(true);
      expect(await Promise.all(burst)).toEqual(Array.from({ length: 30 }, () => false));
    } finally {
      setHashingLimits({ maxWaitSeconds: 2 });
    }
  });

  it("returns false, not an exception, for a stored hash that does not parse", async () => {
    expect(await verifyPassword("not a hash", "correct horse")).toBe(false);
  });

  it("does not ask to rehash a hash made with the current parameters", async () => {
    expect(needsRehash(await hashPassword("correct horse"))).toBe(false);
  });

  it("asks to rehash a hash made with weaker parameters", async () => {
    const weaker = await argon2.hash("correct horse", { ...ARGON2_OPTIONS, memoryCost: 4096, timeCost: 2 });
    expect(needsRehash(weaker)).toBe(true);
    expect(await verifyPassword(weaker, "correct horse")).toBe(true); // still signs in, then gets upgraded
  });

  it("asks to rehash a hash of another argon2 variant with the same cost", async () => {
    const argon2i = await argon2.hash("correct horse", { ...ARGON2_OPTIONS, type: argon2.argon2i });
    expect(needsRehash(argon2i)).toBe(true);
  });

  it("asks to rehash a stored value that is not an argon2 hash", () => {
    expect(needsRehash("garbage")).toBe(true);
  });
});
