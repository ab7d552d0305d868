// Password hashing with argon2id. The `argon2` package hashes on libuv's thread pool, off the event loop.
//
// Parameters: OWASP's first recommended argon2id setting is m = 19 MiB, t = 2, p = 1. We keep that memory
// and parallelism and take t = 3, one step above the minimum: about 30 ms a hash on a 2-core machine,
// which keeps a login flood from starving the server while making offline guessing expensive.
// When these change, a successful login rehashes the stored password (see `needsRehash`).
import argon2 from "argon2";

export const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19_456, // KiB = 19 MiB
  timeCost: 3,
  parallelism: 1,
} as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

let dummyHash: Promise<string> | undefined;

/**
 * Checks a password against a stored hash. With no stored hash (unknown email) it verifies against a
 * dummy hash of the same parameters, so both answers take about the same time and reveal nothing.
 */
export async function verifyPassword(storedHash: string | null, password: string): Promise<boolean> {
  if (storedHash === null) {
    dummyHash ??= hashPassword("dummy password for timing equalisation");
    await argon2.verify(await dummyHash, password).catch(() => false);
    return false;
  }
  try {
    return await argon2.verify(storedHash, password);
  } catch {
    return false; // a stored hash that does not parse never signs anyone in
  }
}

export function needsRehash(storedHash: string): boolean {
  // argon2.needsRehash compares version and costs only, not the variant: check that it is argon2id too.
  if (!storedHash.startsWith("$argon2id$")) return true;
  try {
    return argon2.needsRehash(storedHash, ARGON2_OPTIONS);
  } catch {
    return true;
  }
}
