// Refresh tokens: opaque 256-bit random strings. The server keeps only their SHA-256, and the rules of
// rotation live here as one pure function over plain data, so they are tested without a database.
import { createHash, createHmac, randomBytes } from "node:crypto";

export const REFRESH_TOKEN_BYTES = 32; // 256 bits

export function generateRefreshToken(): string {
  return randomBytes(REFRESH_TOKEN_BYTES).toString("base64url");
}

/** SHA-256 is enough here: the input is 256 random bits, so there is nothing to brute-force. */
export function hashRefreshToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * The token that replaces `token` when it is rotated: an HMAC of it under the server secret.
 *
 * Deriving the successor instead of drawing it at random is how concurrent refreshes within the grace
 * period all succeed without splitting the session: every request that presents the same spent token
 * recomputes the same successor, whose hash is already stored, so the family keeps a single chain and the
 * server still stores no token in the clear. Without the secret nobody can compute a successor.
 */
export function deriveSuccessorToken(token: string, secret: string): string {
  return createHmac("sha256", secret).update("refresh-successor\0").update(token).digest("base64url");
}

export interface RefreshTokenState {
  expiresAt: Date;
  spentAt: Date | null;
}

export interface RefreshSessionState {
  absoluteExpiresAt: Date;
  revokedAt: Date | null;
}

export type RefreshDecision =
  | { action: "rotate" }
  /** Spent moments ago (concurrent tabs or requests): answer with the chain's current token. */
  | { action: "replay" }
  /** Spent after the grace period: theft. The whole session is revoked. */
  | { action: "reject"; code: "refresh_reused"; revokeSession: true }
  | { action: "reject"; code: "refresh_revoked" | "refresh_expired"; revokeSession: false };

/** `graceSeconds` 0 turns the grace period off: any second presentation is reuse. */
export function decideRefresh(
  token: RefreshTokenState,
  session: RefreshSessionState,
  now: Date,
  graceSeconds: number,
): RefreshDecision {
  if (token.spentAt !== null && now.getTime() - token.spentAt.getTime() >= graceSeconds * 1000) {
    return { action: "reject", code: "refresh_reused", revokeSession: true };
  }
  if (session.revokedAt !== null) return { action: "reject", code: "refresh_revoked", revokeSession: false };
  if (now >= session.absoluteExpiresAt || now >= token.expiresAt) {
    return { action: "reject", code: "refresh_expired", revokeSession: false };
  }
  return token.spentAt === null ? { action: "rotate" } : { action: "replay" };
}
