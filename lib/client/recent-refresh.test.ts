import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { RECENT_REFRESH_MS, refreshedRecently } from "./recent-refresh";

const NOW = 1_800_000_000_000;

describe("refreshedRecently", () => {
  test("a refresh another tab finished within the window counts, one at its edge or older does not", () => {
    expect(refreshedRecently(String(NOW), NOW)).toBe(true);
    expect(refreshedRecently(String(NOW - RECENT_REFRESH_MS + 1), NOW)).toBe(true);
    expect(refreshedRecently(String(NOW - RECENT_REFRESH_MS), NOW)).toBe(false);
    expect(refreshedRecently(String(NOW - 86_400_000), NOW)).toBe(false);
  });

  test("a time in the future (a clock set back, or a planted value) never counts", () => {
    expect(refreshedRecently(String(NOW + 1), NOW)).toBe(false);
    expect(refreshedRecently(String(NOW + 3_600_000), NOW)).toBe(false);
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 50 }), (ahead) => !refreshedRecently(String(NOW + ahead), NOW)));
  });

  test("nothing stored, or anything that is not a plain time, does not count", () => {
    for (const stored of [null, "", "abc", "1e15", "-5", " 1800000000000", "Infinity", "NaN", "9".repeat(40)]) {
      expect(refreshedRecently(stored, NOW)).toBe(false);
    }
  });

  test("whatever is stored, the shortcut holds for at most the window of real time", () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: RECENT_REFRESH_MS, max: 10 ** 12 }), (stored, later) => {
        const believedNow = refreshedRecently(stored, NOW);
        return !(believedNow && refreshedRecently(stored, NOW + later));
      }),
    );
  });
});
