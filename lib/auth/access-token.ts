// Access tokens: short-lived JWTs signed with HS256 through jose. Only Web Crypto is used, so the Edge
// middleware and the Node.js route handlers verify with this same code.
import { SignJWT, jwtVerify, errors, type JWTPayload } from "jose";
import { checkSecret } from "../settings.mjs";

export interface SigningKey {
  kid: string;
  key: CryptoKey;
}

export interface AccessClaims {
  sub: string; // user id
  sid: string; // session id
  iat: number;
  exp: number;
}

export type AccessVerification =
  | { ok: true; claims: AccessClaims }
  /** Signature, `iss` and `aud` verified, but past `exp`: the claims still say whose session it was (logout). */
  | { ok: false; reason: "expired"; claims: AccessClaims }
  | { ok: false; reason: "invalid" };

export interface TokenAudience {
  issuer: string;
  audience: string;
}

/** What a verifier checks besides the signature: the audience, and the longest lifetime we issue. */
export interface TokenRules extends TokenAudience {
  /** Seconds: a token whose `exp − iat` exceeds this (plus the skew) was not issued under these settings. */
  accessTtl: number;
}

const ALGORITHM = "HS256";
/**
 * Seconds of clock skew tolerated on `exp` and `iat`, the contract's most: instances whose clocks differ
 * slightly must accept each other's fresh tokens, or people bounce through the refresh hop.
 */
export const CLOCK_TOLERANCE = 5;

const encoder = new TextEncoder();

function base64url(bytes: ArrayBuffer): string {
  let binary = "";
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * Imports the secret once. The `kid` is an HMAC of a fixed label under the secret: stable for a secret,
 * different for another, and it reveals nothing about the secret.
 */
export async function importSigningKey(secret: string, settingName = "AUTH_SECRET"): Promise<SigningKey> {
  const bytes = encoder.encode(checkSecret(secret, settingName));
  const key = await crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ]);
  const kid = base64url(await crypto.subtle.sign("HMAC", key, encoder.encode("access-token-key-id"))).slice(0, 16);
  return { kid, key };
}

export async function signAccessToken(
  subject: { userId: string; sessionId: string },
  expiresAt: Date,
  now: Date,
  signingKey: SigningKey,
  audience: TokenAudience,
): Promise<string> {
  return new SignJWT({ sid: subject.sessionId })
    .setProtectedHeader({ alg: ALGORITHM, typ: "JWT", kid: signingKey.kid })
    .setSubject(subject.userId)
    .setIssuer(audience.issuer)
    .setAudience(audience.audience)
    .setIssuedAt(Math.floor(now.getTime() / 1000))
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(signingKey.key);
}

function isAccessClaims(payload: JWTPayload): payload is JWTPayload & AccessClaims {
  return (
    typeof payload.sub === "string" &&
    typeof payload.sid === "string" &&
    typeof payload.iat === "number" &&
    typeof payload.exp === "number"
  );
}

/**
 * Tokens whose signature, algorithm, `kid`, `iss` and `aud` already verified, by their exact string. A
 * browser presents one access token on every request for its whole lifetime, and on Node.js each Web
 * Crypto verification is a job on libuv's thread pool, which waits behind password hashes that occupy the
 * pool (figures: README, Performance). Only what cannot change is remembered; the time claims are checked again at every use, as jose
 * checks them. Only tokens signed with our keys ever get in, so the cache cannot be flooded with forgeries;
 * past the bound the oldest entry leaves first.
 */
const verifiedTokens = new Map<string, { key: CryptoKey; issuer: string; audience: string; claims: AccessClaims }>();
const VERIFIED_TOKENS_MAX = 10_000;

/** No longer-lived than we issue: a token minted under a longer `AUTH_ACCESS_TTL` (or by a leaked key) is refused. */
function hasIssuableLifetime(claims: AccessClaims, rules: TokenRules): boolean {
  return claims.exp - claims.iat <= rules.accessTtl + CLOCK_TOLERANCE;
}

/** Our lifetime rule, jose's `exp` rule (whole seconds, with the tolerance), then our `iat` rule. */
function checkTimes(claims: AccessClaims, rules: TokenRules, now: Date): AccessVerification {
  if (!hasIssuableLifetime(claims, rules)) return { ok: false, reason: "invalid" };
  if (claims.exp <= Math.floor(now.getTime() / 1000) - CLOCK_TOLERANCE) return { ok: false, reason: "expired", claims };
  if (claims.iat > now.getTime() / 1000 + CLOCK_TOLERANCE) return { ok: false, reason: "invalid" };
  return { ok: true, claims };
}

const BASE64URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * Whether a JWT's signature is spelled the one way base64url spells its bytes. Decoders ignore the unused
 * low bits of the last character, so without this check each signature has several spellings that all
 * verify, and a token the app never issued (as a string) would be accepted. The header and payload need
 * no such check: the signature covers their exact text.
 */
function hasCanonicalSignature(token: string): boolean {
  const signature = token.slice(token.lastIndexOf(".") + 1);
  const unusedBits = [0, -1, 4, 2][signature.length % 4]!; // 1 leftover character spells no whole byte
  if (unusedBits < 0 || !/^[A-Za-z0-9_-]*$/.test(signature)) return false;
  const last = BASE64URL_ALPHABET.indexOf(signature.at(-1) ?? "A");
  return last % (1 << unusedBits) === 0;
}

/**
 * Verifies signature, algorithm, `kid`, `iss`, `aud`, `exp`, `iat` and the lifetime. "expired" is only
 * reported for a token whose signature verified: a forged token is "invalid" whatever its claims say.
 */
export async function verifyAccessToken(
  token: string,
  signingKeys: readonly SigningKey[],
  audience: TokenRules,
  now: Date,
): Promise<AccessVerification> {
  if (!hasCanonicalSignature(token)) return { ok: false, reason: "invalid" };
  const known = verifiedTokens.get(token);
  if (
    known &&
    known.issuer === audience.issuer &&
    known.audience === audience.audience &&
    signingKeys.some((candidate) => candidate.key === known.key)
  ) {
    return checkTimes(known.claims, audience, now);
  }
  let usedKey: CryptoKey | undefined;
  try {
    const { payload } = await jwtVerify(
      token,
      (header) => {
        // Without a `kid` (a token minted by hand with AUTH_SECRET) only the current key is tried: the
        // `kid` only picks the key, and the signature is what is trusted.
        const match = header.kid === undefined ? signingKeys[0] : signingKeys.find((candidate) => candidate.kid === header.kid);
        if (!match) throw new errors.JWSSignatureVerificationFailed();
        usedKey = match.key;
        return match.key;
      },
      {
        algorithms: [ALGORITHM],
        issuer: audience.issuer,
        audience: audience.audience,
        clockTolerance: CLOCK_TOLERANCE,
        currentDate: now,
        requiredClaims: ["sub", "sid", "iat", "exp"],
      },
    );
    if (!isAccessClaims(payload)) return { ok: false, reason: "invalid" };
    const claims = { sub: payload.sub, sid: payload.sid, iat: payload.iat, exp: payload.exp };
    const verdict = checkTimes(claims, audience, now);
    // Our tokens carry no `nbf`; one that does is not remembered, so jose judges it every time.
    if (verdict.ok && usedKey && payload.nbf === undefined) {
      if (verifiedTokens.size >= VERIFIED_TOKENS_MAX) verifiedTokens.delete(verifiedTokens.keys().next().value!);
      verifiedTokens.set(token, { key: usedKey, issuer: audience.issuer, audience: audience.audience, claims });
    }
    return verdict;
  } catch (error) {
    // jose checks `exp` after the signature, `iss` and `aud`, so JWTExpired means only the time is wrong.
    if (error instanceof errors.JWTExpired && isAccessClaims(error.payload)) {
      const { sub, sid, iat, exp } = error.payload;
      const claims = { sub, sid, iat, exp };
      return hasIssuableLifetime(claims, audience) ? { ok: false, reason: "expired", claims } : { ok: false, reason: "invalid" };
    }
    return { ok: false, reason: "invalid" };
  }
}
