import { SignJWT, decodeProtectedHeader } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import {
  CLOCK_TOLERANCE,
  importSigningKey,
  signAccessToken,
  verifyAccessToken,
  type SigningKey,
} from "./access-token";

const SECRET = "unit-test-secret-that-is-32-bytes-or-more";
const OTHER_SECRET = "another-secret-that-is-also-32-bytes-long";
const AUDIENCE = { issuer: "keep-signed-in", audience: "keep-signed-in", accessTtl: 900 };
const SUBJECT = { userId: "user-1", sessionId: "session-1" };
const NOW = new Date("2030-01-01T00:00:00.000Z");
const NOW_SECONDS = NOW.getTime() / 1000;
const TTL_MS = 900_000;

let key: SigningKey;
let otherKey: SigningKey;

beforeAll(async () => {
  key = await importSigningKey(SECRET);
  otherKey = await importSigningKey(OTHER_SECRET);
});

function at(offsetMs: number): Date {
  return new Date(NOW.getTime() + offsetMs);
}

/** A token issued at NOW for SUBJECT that expires after `ttlMs`. */
function issue(ttlMs = TTL_MS, signingKey = key, audience = AUDIENCE): Promise<string> {
  return signAccessToken(SUBJECT, at(ttlMs), NOW, signingKey, audience);
}

function verify(token: string, now = NOW, keys: SigningKey[] = [key]) {
  return verifyAccessToken(token, keys, AUDIENCE, now);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const decodePart = (part: string | undefined) => JSON.parse(Buffer.from(part ?? "", "base64url").toString());

/** Replaces the payload of a token, keeping its header and signature. */
function withPayload(token: string, change: (payload: Record<string, unknown>) => void): string {
  const [header, payload, signature] = token.split(".");
  const claims = decodePart(payload);
  change(claims);
  return [header, b64(claims), signature].join(".");
}

/** A token signed by jose with the raw secret, letting a test choose the header and claims freely (`kid: null`: none). */
function craft(
  { alg = "HS256", kid = key.kid, secret = SECRET }: { alg?: string; kid?: string | null; secret?: string },
  claims: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT({ sid: SUBJECT.sessionId, ...claims })
    .setProtectedHeader(kid === null ? { alg, typ: "JWT" } : { alg, typ: "JWT", kid })
    .setSubject(SUBJECT.userId)
    .setIssuer(AUDIENCE.issuer)
    .setAudience(AUDIENCE.audience)
    .setIssuedAt(NOW_SECONDS)
    .setExpirationTime(NOW_SECONDS + 900)
    .sign(new TextEncoder().encode(secret));
}

describe("importSigningKey", () => {
  it("refuses a secret under 32 bytes", async () => {
    await expect(importSigningKey("x".repeat(31))).rejects.toThrow();
    await expect(importSigningKey("x".repeat(32))).resolves.toBeDefined();
  });

  it("derives a stable kid per secret that does not reveal it", async () => {
    expect((await importSigningKey(SECRET)).kid).toBe(key.kid);
    expect(otherKey.kid).not.toBe(key.kid);
    expect(key.kid).not.toContain(SECRET.slice(0, 8));
  });
});

describe("signAccessToken / verifyAccessToken", () => {
  it("round-trips the subject and session", async () => {
    const result = await verify(await issue());
    expect(result).toEqual({
      ok: true,
      claims: { sub: "user-1", sid: "session-1", iat: NOW_SECONDS, exp: NOW_SECONDS + 900 },
    });
  });

  it("carries sub, sid, iat, exp, iss, aud and an HS256 header with the key's kid", async () => {
    const token = await issue();
    expect(decodeProtectedHeader(token)).toEqual({ alg: "HS256", typ: "JWT", kid: key.kid });
    expect(decodePart(token.split(".")[1])).toEqual({
      sub: "user-1",
      sid: "session-1",
      iat: NOW_SECONDS,
      exp: NOW_SECONDS + 900,
      iss: "keep-signed-in",
      aud: "keep-signed-in",
    });
  });

  it("accepts tokens of any listed key, so a previous key keeps working during rotation", async () => {
    const token = await issue(TTL_MS, otherKey);
    expect((await verify(token, NOW, [key, otherKey])).ok).toBe(true);
  });

  it("refuses an unsigned token (alg none)", async () => {
    const token = await issue();
    const [, payload] = token.split(".");
    const unsigned = `${b64({ alg: "none", typ: "JWT", kid: key.kid })}.${payload}.`;
    expect(await verify(unsigned)).toEqual({ ok: false, reason: "invalid" });
  });

  it("refuses a token signed with another algorithm, even with the right secret", async () => {
    expect(await verify(await craft({ alg: "HS512" }))).toEqual({ ok: false, reason: "invalid" });
    expect(await verify(await craft({ alg: "HS384" }))).toEqual({ ok: false, reason: "invalid" });
    expect((await verify(await craft({}))).ok).toBe(true); // the same recipe with HS256 passes
  });

  it("refuses a token signed with another key that claims our kid", async () => {
    expect(await verify(await craft({ secret: OTHER_SECRET }))).toEqual({ ok: false, reason: "invalid" });
  });

  it("judges a token without a kid (one minted by hand with AUTH_SECRET) by the current key alone", async () => {
    expect(await verify(await craft({ kid: null }))).toEqual({ ok: true, claims: expect.objectContaining({ sid: SUBJECT.sessionId }) });
    expect(await verify(await craft({ kid: null }), at(TTL_MS + 60_000))).toMatchObject({ ok: false, reason: "expired" });
    expect(await verify(await craft({ kid: null, secret: OTHER_SECRET }))).toEqual({ ok: false, reason: "invalid" });
    // A previous key's tokens carry its kid; without one, only the key that signs now is tried.
    expect(await verify(await craft({ kid: null, secret: OTHER_SECRET }), NOW, [key, otherKey])).toEqual({ ok: false, reason: "invalid" });
  });

  it("refuses a token whose kid is unknown, even when the signature would verify", async () => {
    expect(await verify(await craft({ kid: "unknown-kid" }))).toEqual({ ok: false, reason: "invalid" });
    expect(await verify(await issue(TTL_MS, otherKey))).toEqual({ ok: false, reason: "invalid" });
  });

  it("refuses another spelling of its own signature (the last character's unused bits set)", async () => {
    const token = await issue();
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = alphabet.indexOf(token.at(-1)!);
    // 43 characters carry the 32 signature bytes: the last one's two low bits are padding decoders ignore.
    const twins = [1, 2, 3].map((bits) => token.slice(0, -1) + alphabet[(last & ~3) | bits]);
    for (const twin of twins) expect(await verify(twin), twin.slice(-4)).toEqual({ ok: false, reason: "invalid" });
    expect((await verify(token)).ok).toBe(true);
  });

  it("refuses a token whose payload was changed after signing", async () => {
    const tampered = withPayload(await issue(), (claims) => (claims.sub = "user-2"));
    expect(await verify(tampered)).toEqual({ ok: false, reason: "invalid" });
  });

  it("refuses a wrong issuer or audience", async () => {
    const wrongIssuer = await issue(TTL_MS, key, { ...AUDIENCE, issuer: "someone-else" });
    const wrongAudience = await issue(TTL_MS, key, { ...AUDIENCE, audience: "another-app" });
    expect(await verify(wrongIssuer)).toEqual({ ok: false, reason: "invalid" });
    expect(await verify(wrongAudience)).toEqual({ ok: false, reason: "invalid" });
  });

  it("refuses a token without a session id", async () => {
    expect(await verify(await craft({}, { sid: undefined }))).toEqual({ ok: false, reason: "invalid" });
  });

  it("refuses a token issued in the future beyond the tolerance", async () => {
    const future = await signAccessToken(SUBJECT, at(TTL_MS + 60_000), at(60_000), key, AUDIENCE);
    expect(await verify(future)).toEqual({ ok: false, reason: "invalid" });
  });

  it("allows 5 s of skew, the contract's most", () => {
    expect(CLOCK_TOLERANCE).toBe(5);
  });

  it(`accepts a token issued by an instance whose clock is up to ${CLOCK_TOLERANCE} s ahead, and no more`, async () => {
    for (const aheadMs of [1_000, 2_000, 4_000, CLOCK_TOLERANCE * 1000]) {
      const token = await signAccessToken(SUBJECT, at(aheadMs + TTL_MS), at(aheadMs), key, AUDIENCE);
      expect((await verify(token)).ok, `${aheadMs} ms ahead`).toBe(true);
    }
    const tooFar = await signAccessToken(SUBJECT, at(TTL_MS + 6_000), at(6_000), key, AUDIENCE);
    expect(await verify(tooFar)).toEqual({ ok: false, reason: "invalid" });
  });

  it(`tolerates ${CLOCK_TOLERANCE} s of skew on exp and no more, then reports "expired"`, async () => {
    const token = await issue();
    expect((await verify(token, at(TTL_MS - 1))).ok).toBe(true);
    expect((await verify(token, at(TTL_MS + CLOCK_TOLERANCE * 1000 - 1))).ok).toBe(true);
    expect(await verify(token, at(TTL_MS + CLOCK_TOLERANCE * 1000))).toMatchObject({ ok: false, reason: "expired" });
    expect(await verify(token, at(TTL_MS + 3_600_000))).toMatchObject({ ok: false, reason: "expired" });
  });

  it("refuses a token whose lifetime (exp − iat) is longer than AUTH_ACCESS_TTL plus the skew", async () => {
    const longest = await signAccessToken(SUBJECT, at(TTL_MS + CLOCK_TOLERANCE * 1000), NOW, key, AUDIENCE);
    expect((await verify(longest)).ok).toBe(true);
    const tooLong = await signAccessToken(SUBJECT, at(TTL_MS + CLOCK_TOLERANCE * 1000 + 1000), NOW, key, AUDIENCE);
    expect(await verify(tooLong)).toEqual({ ok: false, reason: "invalid" });
    const yearLong = await signAccessToken(SUBJECT, at(365 * 86_400_000), NOW, key, AUDIENCE);
    expect(await verify(yearLong)).toEqual({ ok: false, reason: "invalid" });
    expect(await verify(yearLong, at(366 * 86_400_000))).toEqual({ ok: false, reason: "invalid" }); // not "expired" either
    // The same token under a longer configured lifetime is one we could have issued.
    expect((await verifyAccessToken(tooLong, [key], { ...AUDIENCE, accessTtl: 3600 }, NOW)).ok).toBe(true);
  });

  it("still names the session of an expired token whose signature verifies, so it can be logged out", async () => {
    expect(await verify(await issue(), at(TTL_MS + 3_600_000))).toEqual({
      ok: false,
      reason: "expired",
      claims: { sub: "user-1", sid: "session-1", iat: NOW_SECONDS, exp: NOW_SECONDS + 900 },
    });
  });

  it('reports a forged expired token as "invalid", never "expired"', async () => {
    const later = at(TTL_MS + 60_000);
    const tampered = withPayload(await issue(), (claims) => (claims.sub = "user-2"));
    const otherKeyExpired = await craft({ secret: OTHER_SECRET });
    expect(await verify(tampered, later)).toEqual({ ok: false, reason: "invalid" });
    expect(await verify(otherKeyExpired, later)).toEqual({ ok: false, reason: "invalid" });
  });

  it("refuses strings that are not tokens", async () => {
    for (const garbage of ["", "abc", "a.b.c", "....."]) {
      expect(await verify(garbage)).toEqual({ ok: false, reason: "invalid" });
    }
  });
});

describe("verifyAccessToken, a token verified before (its signature is remembered)", () => {
  it("still checks the time claims at every use", async () => {
    const token = await issue();
    expect((await verify(token)).ok).toBe(true);
    expect(await verify(token, at(TTL_MS + CLOCK_TOLERANCE * 1000))).toMatchObject({ ok: false, reason: "expired" });
    expect(await verify(token, at(-60_000))).toEqual({ ok: false, reason: "invalid" }); // issued "in the future"
    expect((await verify(token)).ok).toBe(true);
  });

  it("is refused once its key is no longer listed, or for another issuer or audience", async () => {
    const token = await issue(TTL_MS, otherKey);
    expect((await verify(token, NOW, [key, otherKey])).ok).toBe(true);
    expect(await verify(token, NOW, [key])).toEqual({ ok: false, reason: "invalid" });
    expect(await verifyAccessToken(token, [key, otherKey], { ...AUDIENCE, audience: "another-app" }, NOW)).toEqual({
      ok: false,
      reason: "invalid",
    });
    expect(await verifyAccessToken(token, [key, otherKey], { ...AUDIENCE, issuer: "someone-else" }, NOW)).toEqual({
      ok: false,
      reason: "invalid",
    });
  });

  it("does not make a changed copy of it valid", async () => {
    const token = await issue();
    expect((await verify(token)).ok).toBe(true);
    const tampered = withPayload(token, (claims) => (claims.sid = "session-2"));
    expect(await verify(tampered)).toEqual({ ok: false, reason: "invalid" });
    expect(await verify(`${token}x`)).toEqual({ ok: false, reason: "invalid" });
  });
});
