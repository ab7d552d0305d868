import { describe, expect, it } from "vitest";
import {
  decideRefresh,
  deriveSuccessorToken,
  generateRefreshToken,
  hashRefreshToken,
  type RefreshSessionState,
  type RefreshTokenState,
} from "./refresh-token";

const SECRET = "unit-test-secret-that-is-32-bytes-or-more";
const T0 = new Date("2030-01-01T00:00:00.000Z");
const GRACE = 10;

function at(seconds: number): Date {
  return new Date(T0.getTime() + seconds * 1000);
}

const REUSED = { action: "reject", code: "refresh_reused", revokeSession: true } as const;
const REVOKED = { action: "reject", code: "refresh_revoked", revokeSession: false } as const;
const EXPIRED = { action: "reject", code: "refresh_expired", revokeSession: false } as const;

/** A fresh token of a live session, both valid until well after T0; override what a case needs. */
function decide(
  now: Date,
  { token = {}, session = {}, grace = GRACE }: {
    token?: Partial<RefreshTokenState>;
    session?: Partial<RefreshSessionState>;
    grace?: number;
  } = {},
) {
  return decideRefresh(
    { spentAt: null, ...token },
    { absoluteExpiresAt: at(7200), idleExpiresAt: at(3600), revokedAt: null, ...session },
    now,
    grace,
  );
}

describe("generateRefreshToken", () => {
  it("draws 256 random bits, URL-safe, different every time", () => {
    const tokens = new Set(Array.from({ length: 100 }, generateRefreshToken));
    expect(tokens.size).toBe(100);
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token, "base64url")).toHaveLength(32);
    }
  });
});

describe("hashRefreshToken", () => {
  it("is the hex SHA-256 of the token: stable, and never the token itself", () => {
    const token = generateRefreshToken();
    expect(hashRefreshToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRefreshToken(token)).toBe(hashRefreshToken(token));
    expect(hashRefreshToken(token)).not.toContain(token);
    expect(hashRefreshToken("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});

describe("deriveSuccessorToken", () => {
  it("is deterministic for one token and secret", () => {
    const token = generateRefreshToken();
    expect(deriveSuccessorToken(token, SECRET)).toBe(deriveSuccessorToken(token, SECRET));
  });

  it("differs from the token, between tokens, and between secrets", () => {
    const token = generateRefreshToken();
    const successor = deriveSuccessorToken(token, SECRET);
    expect(successor).not.toBe(token);
    expect(deriveSuccessorToken(generateRefreshToken(), SECRET)).not.toBe(successor);
    expect(deriveSuccessorToken(token, "another-secret-that-is-also-32-bytes-long")).not.toBe(successor);
  });

  it("is as long as a generated token (256 bits, base64url)", () => {
    expect(deriveSuccessorToken(generateRefreshToken(), SECRET)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe("decideRefresh", () => {
  it("rotates an unspent token of a live session", () => {
    expect(decide(at(60))).toEqual({ action: "rotate" });
  });

  it("replays a token spent within the grace period", () => {
    expect(decide(at(60), { token: { spentAt: at(60) } })).toEqual({ action: "replay" });
    expect(decide(at(69.999), { token: { spentAt: at(60) } })).toEqual({ action: "replay" });
  });

  it("treats a spent token presented once the grace period is over as reuse, revoking the session", () => {
    expect(decide(at(70), { token: { spentAt: at(60) } })).toEqual(REUSED);
    expect(decide(at(3000), { token: { spentAt: at(60) } })).toEqual(REUSED);
  });

  it("with a grace of 0 treats any second presentation as reuse, even in the same millisecond", () => {
    expect(decide(at(60), { token: { spentAt: at(60) }, grace: 0 })).toEqual(REUSED);
    expect(decide(at(60), { grace: 0 })).toEqual({ action: "rotate" });
  });

  it("refuses a token of a revoked session", () => {
    expect(decide(at(60), { session: { revokedAt: at(30) } })).toEqual(REVOKED);
  });

  it("refuses a token once the session's absolute end is reached", () => {
    const session = { absoluteExpiresAt: at(100) };
    expect(decide(at(99.999), { session: { ...session, idleExpiresAt: at(100) } })).toEqual({ action: "rotate" });
    expect(decide(at(100), { session: { ...session, idleExpiresAt: at(200) } })).toEqual(EXPIRED);
  });

  it("refuses a token left idle until its session's idle end", () => {
    expect(decide(at(3599.999))).toEqual({ action: "rotate" });
    expect(decide(at(3600))).toEqual(EXPIRED);
  });

  describe("precedence", () => {
    it("reuse beats revocation and expiry: a spent token after grace always revokes", () => {
      const spent = { spentAt: at(60) };
      expect(decide(at(100), { token: spent, session: { revokedAt: at(80) } })).toEqual(REUSED);
      expect(decide(at(8000), { token: spent })).toEqual(REUSED);
    });

    it("revocation beats expiry", () => {
      expect(decide(at(8000), { session: { revokedAt: at(80) } })).toEqual(REVOKED);
    });

    it("a replay within grace still fails when the session was revoked or has ended", () => {
      expect(decide(at(61), { token: { spentAt: at(60) }, session: { revokedAt: at(60.5) } })).toEqual(REVOKED);
      expect(decide(at(61), { token: { spentAt: at(60) }, session: { idleExpiresAt: at(61) } })).toEqual(EXPIRED);
      expect(decide(at(61), { token: { spentAt: at(60) }, session: { absoluteExpiresAt: at(61) } })).toEqual(EXPIRED);
    });
  });
});
