import { describe, expect, it } from "vitest";
import { importSigningKey, signAccessToken, verifyAccessToken } from "./access-token";
import { importKeyRing } from "./keys";

const CURRENT = "the-current-secret-that-is-32-bytes-or-more";
const PREVIOUS = "the-previous-secret-that-is-32-bytes-or-more";
const OLDER = "an-older-secret-still-32-bytes-long-at-least";
const AUDIENCE = { issuer: "keep-signed-in", audience: "keep-signed-in", accessTtl: 900 };
const NOW = new Date("2030-01-01T00:00:00.000Z");

describe("importKeyRing", () => {
  it("signs with the current key and verifies with the current and every previous key", async () => {
    const ring = await importKeyRing(CURRENT, `${PREVIOUS},${OLDER}`);
    expect(ring.signingKey.kid).toBe((await importSigningKey(CURRENT)).kid);
    expect(ring.verificationKeys.map((key) => key.kid)).toEqual([
      ring.signingKey.kid,
      (await importSigningKey(PREVIOUS)).kid,
      (await importSigningKey(OLDER)).kid,
    ]);
    expect(ring).toMatchObject({ secret: CURRENT, previousSecrets: [PREVIOUS, OLDER] });

    const subject = { userId: "u", sessionId: "s" };
    const expires = new Date(NOW.getTime() + 60_000);
    const oldToken = await signAccessToken(subject, expires, NOW, await importSigningKey(OLDER), AUDIENCE);
    expect((await verifyAccessToken(oldToken, ring.verificationKeys, AUDIENCE, NOW)).ok).toBe(true);
    const withoutOlder = await importKeyRing(CURRENT, PREVIOUS);
    expect((await verifyAccessToken(oldToken, withoutOlder.verificationKeys, AUDIENCE, NOW)).ok).toBe(false);
  });

  it("keeps a secret once when it is listed as current and previous, or twice", async () => {
    const ring = await importKeyRing(CURRENT, `${CURRENT},${PREVIOUS},${PREVIOUS}`);
    expect(ring.previousSecrets).toEqual([PREVIOUS]);
    expect(ring.verificationKeys).toHaveLength(2);
  });

  it("refuses a previous secret under 32 bytes, naming the setting", async () => {
    await expect(importKeyRing(CURRENT, "too-short")).rejects.toThrow("AUTH_PREVIOUS_SECRETS");
  });
});
