// Tokens of the links sent by email (password reset, address verification): the same 256-bit random
// strings as refresh tokens, kept only as their SHA-256, spent once.
import { generateRefreshToken, hashRefreshToken } from "./refresh-token";

export type EmailTokenPurpose = "reset" | "verify";

export interface EmailTokenRecord {
  id: string;
  userId: string;
  purpose: EmailTokenPurpose;
  tokenHash: string;
  /** The address the link was sent to. */
  email: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

export function newEmailToken(): { token: string; tokenHash: string } {
  const token = generateRefreshToken();
  return { token, tokenHash: hashEmailToken(token) };
}

export function hashEmailToken(token: string): string {
  return hashRefreshToken(token);
}

/** Unused and not yet expired. */
export function isUsable(record: Pick<EmailTokenRecord, "usedAt" | "expiresAt">, now: Date): boolean {
  return record.usedAt === null && now < record.expiresAt;
}
