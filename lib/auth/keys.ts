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

export async function importKeyRing(current: string, previousRaw: string | undefined): Promise<KeyRing> {
  const signingKey = await importSigningKey(current);
  const previousSecrets: string[] = [];
  const verificationKeys = [signingKey];
  for (const secret of parsePreviousSecrets(previousRaw)) {
    // The current secret listed as previous too, or one listed twice: harmless, kept once.
    if (secret === current || previousSecrets.includes(secret)) continue;
    verificationKeys.push(await importSigningKey(secret, "AUTH_PREVIOUS_SECRETS"));
    previousSecrets.push(secret);
  }
  return { signingKey, verificationKeys, secret: current, previousSecrets };
}
