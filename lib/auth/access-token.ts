// Access tokens: short-lived JWTs signed with HS256 through jose. Only Web Crypto is used, so the Edge
// middleware and the Node.js route handlers verify with this same code.
import { SignJWT, jwtVerify, errors, type JWTPayload } from "jose";

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

const ALGORITHM = "HS256";
/** Seconds of clock skew tolerated on `exp` and `iat`; the contract allows up to 5, we need little. */
export const CLOCK_TOLERANCE = 1;
export const MIN_SECRET_BYTES = 32;

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
  const bytes = encoder.encode(secret);
  if (bytes.byteLength < MIN_SECRET_BYTES) {
    throw new Error(`${settingName} must be at least ${MIN_SECRET_BYTES} bytes`);
  }
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
 * Verifies signature, algorithm, `kid`, `iss`, `aud` and `exp`. "expired" is only reported for a token
 * whose signature verified: a forged token is "invalid" whatever its claims say.
 */
export async function verifyAccessToken(
  token: string,
  signingKeys: readonly SigningKey[],
  audience: TokenAudience,
  now: Date,
): Promise<AccessVerification> {
  try {
    const { payload } = await jwtVerify(
      token,
      (header) => {
        const match = signingKeys.find((candidate) => candidate.kid === header.kid);
        if (!match) throw new errors.JWSSignatureVerificationFailed();
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
    if (payload.iat > now.getTime() / 1000 + CLOCK_TOLERANCE) return { ok: false, reason: "invalid" };
    return { ok: true, claims: { sub: payload.sub, sid: payload.sid, iat: payload.iat, exp: payload.exp } };
  } catch (error) {
    // jose checks `exp` after the signature, `iss` and `aud`, so JWTExpired means only the time is wrong.
    if (error instanceof errors.JWTExpired && isAccessClaims(error.payload)) {
      const { sub, sid, iat, exp } = error.payload;
      return { ok: false, reason: "expired", claims: { sub, sid, iat, exp } };
    }
    return { ok: false, reason: "invalid" };
  }
}
