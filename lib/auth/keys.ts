// The signing-key ring: the current secret signs, the current and any previous secrets verify. Lets an
// operator rotate AUTH_SECRET without signing anyone out (README, "Rotating the signing secret").
// Web Crypto only, like access-token.ts: the Edge middleware builds the same ring.
import { previousSecrets as parsePreviousSecrets } from "../settings.mjs";
import { importSigningKey, type SigningKey } from "./access-token";

export interface KeyRing {
  /** Signs new access tokens. */
  signingKey: SigningKey;
  /** Every key whose tokens are still accepted, the signing key first. */
  verificationKeys: SigningKey[];
  /** The current secret, which derives new refresh-token successors. */
  secret: string;
  /** Successors derived with these before the rotation are still followed. */
  previousSecrets: string[];
}

/**
 * The current secret first, then each previous one once: the current one listed as previous too, or one
 * listed twice, is harmless and kept once.
 */
export function distinctSecrets(current: string, previous: readonly string[]): string[] {
  return [...new Set([current, ...previous])];
}

export async function importKeyRing(current: string, previousRaw: string | undefined): Promise<KeyRing> {
  const signingKey = await importSigningKey(current);
  const [, ...previousSecrets] = distinctSecrets(current, parsePreviousSecrets(previousRaw));
  const verificationKeys = [signingKey];
  for (const secret of previousSecrets) verificationKeys.push(await importSigningKey(secret, "AUTH_PREVIOUS_SECRETS"));
  return { signingKey, verificationKeys, secret: current, previousSecrets };
}
