// Refresh tokens: opaque 256-bit random strings. The server keeps only their SHA-256, and the rules of
// rotation live here as one pure function over plain data, so they are tested without a database.
import { createHash, createHmac, randomBytes } from "node:crypto";
import { sessionValidity, type SessionLifetime } from "./session";

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

/** Spent tokens a live session keeps behind its current one, at least (README, Limits). */
export const KEPT_SPENT_TOKENS = 32;
/**
 * Successors computed from an unknown token to look for a kept one of its chain: a replay up to
 * KEPT_SPENT_TOKENS + REUSE_WALK_STEPS rotations behind the current token is still recognised as reuse.
 */
export const REUSE_WALK_STEPS = 64;

/**
 * The generation below which a session's spent tokens are deleted when its token of `generation` is
 * issued, or null. Every KEPT_SPENT_TOKENS-th rotation drops those more than KEPT_SPENT_TOKENS behind, so a
 * live session holds between KEPT_SPENT_TOKENS and twice as many spent tokens, plus its current one: one
 * delete per KEPT_SPENT_TOKENS rotations instead of one per rotation.
 */
export function spentTokensBelow(generation: number): number | null {
  return generation > KEPT_SPENT_TOKENS && generation % KEPT_SPENT_TOKENS === 0 ? generation - KEPT_SPENT_TOKENS : null;
}

/** The hashes of the next `steps` successors of `token` under `secret`, nearest first. */
export function successorHashes(token: string, secret: string, steps: number): string[] {
  const hashes: string[] = [];
  let current = token;
  for (let step = 0; step < steps; step++) {
    current = deriveSuccessorToken(current, secret);
    hashes.push(hashRefreshToken(current));
  }
  return hashes;
}

/** The token's own state; when it stops working is its session's (refreshTokenEnd in session.ts). */
export interface RefreshTokenState {
  spentAt: Date | null;
}

export type RefreshSessionState = SessionLifetime;

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
  const validity = sessionValidity(session, now);
  if (validity === "revoked") return { action: "reject", code: "refresh_revoked", revokeSession: false };
  if (validity !== "live") return { action: "reject", code: "refresh_expired", revokeSession: false };
  return token.spentAt === null ? { action: "rotate" } : { action: "replay" };
}
