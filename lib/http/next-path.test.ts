import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { safeNextPath } from "./next-path";

// The app's origin as tests and people reach it, and a public one: a same-origin path is one on either.
const ORIGINS = ["http://127.0.0.1:3000", "http://localhost:3000", "https://app.example"];

/** Pieces an attacker combines: separators, dot segments, their percent-encodings, what parsers drop. */
const PIECES = [
  "/", "//", "\\", ".", "..", "%2e", "%2E", "%2e%2e", ".%2e", "%2f", "%2F", "%5c", "%5C", "%252e", "%00",
  "\t", "\n", "\r", "\u0000", "\u001f", "\u007f", " ", "\u00a0", "\u3000", "\ufeff", "\u2028",
  "\uff0f", "\uff3c", "\u2215", "\u2044", "\uff0e", "。", "@", ":", "?", "#", "&", "=", "+", ";",
  "evil.example", "evil.example:80", "user@evil.example", "javascript:", "JaVaScRiPt:alert(1)", "data:",
  "http:", "https:", "http://evil.example", "//evil.example", "/\\evil.example", "\\\\evil.example",
  "dashboard", "api", "API", "%61pi", "api/auth/refresh?next=", "login", "é", "ß", "😀", "xn--", "localhost", "127.0.0.1", "[::1]",
];

const attackerInput = fc.oneof(
  fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 10 }).map((parts) => parts.join("")),
  fc.array(fc.constantFrom(...PIECES), { maxLength: 8 }).map((parts) => `/${parts.join("")}`),
  fc.tuple(fc.constantFrom(...PIECES), fc.string({ unit: "binary", maxLength: 12 })).map(([piece, rest]) => `/${piece}${rest}`),
  fc.string({ unit: "grapheme", maxLength: 20 }),
);

describe("safeNextPath", () => {
  it("returns only paths that every browser resolves onto our origin, and that resolve to themselves again", () => {
    fc.assert(
      fc.property(attackerInput, (input) => {
        const result = safeNextPath(input);
        if (result === null) return;
        expect(result.startsWith("/")).toBe(true);
        expect(result[1] === "/" || result[1] === "\\").toBe(false);
        for (const origin of ORIGINS) {
          const landed = new URL(result, origin);
          expect(landed.origin).toBe(origin);
          expect(`${landed.pathname}${landed.search}${landed.hash}`).toBe(result);
          expect(new URL(`${landed.pathname}${landed.search}${landed.hash}`, origin).href).toBe(landed.href);
        }
        expect(safeNextPath(result)).toBe(result);
        expect(result).not.toMatch(/^\/api(?:[/?#]|$)/i);
      }),
      { numRuns: 3_000 },
    );
  });

  it("keeps an ordinary path with its query and fragment", () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z0-9_-]{1,8}$/), { minLength: 1, maxLength: 4 }),
        fc.stringMatching(/^[a-z0-9=&]{0,10}$/),
        (segments, query) => {
          const path = `/${segments.join("/")}${query ? `?${query}` : ""}`;
          expect(safeNextPath(path)).toBe(path);
        },
      ),
      { numRuns: 500 },
    );
  });

  it.each([
    "/..//evil.example/",
    "/.//evil.example",
    "/%2e%2e//evil.example",
    "/%2E%2E/%2e%2e//evil.example",
    "/a/../..//evil.example",
    "/.\\/evil.example",
    "/a/..\\..\\/evil.example",
    "//evil.example",
    "/\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "https://evil.example",
    "javascript:alert(1)",
    "dashboard",
    "",
    "/api/auth/refresh?next=/dashboard",
    "/api/auth/refresh",
    "/API/auth/refresh",
    "/%61pi/auth/refresh",
    "/./api/me",
    "/dashboard/../api/auth/refresh",
    "/api",
  ])("refuses %j", (input) => {
    expect(safeNextPath(input)).toBeNull();
  });

  it("keeps pages whose name only starts like api", () => {
    expect(safeNextPath("/apiary")).toBe("/apiary");
    expect(safeNextPath("/dashboard/api")).toBe("/dashboard/api");
  });

  it("refuses what is not a string", () => {
    expect(safeNextPath(null)).toBeNull();
    expect(safeNextPath(undefined)).toBeNull();
  });
});
