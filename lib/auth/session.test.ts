import { describe, expect, it } from "vitest";
import { loadAuthConfig } from "./config";
import { accessTokenExpiry, addSeconds, isSessionAlive, refreshTokenExpiry } from "./session";

const T0 = new Date("2030-01-01T00:00:00.000Z");
const at = (seconds: number) => addSeconds(T0, seconds);
const config = loadAuthConfig({ AUTH_ACCESS_TTL: "900", AUTH_REFRESH_TTL: "86400", AUTH_REFRESH_IDLE_TTL: "3600" });

describe("isSessionAlive", () => {
  it("is alive until its absolute end", () => {
    const session = { absoluteExpiresAt: at(100), revokedAt: null };
    expect(isSessionAlive(session, at(99.999))).toBe(true);
    expect(isSessionAlive(session, at(100))).toBe(false);
  });

  it("is dead once revoked", () => {
    expect(isSessionAlive({ absoluteExpiresAt: at(100), revokedAt: at(10) }, at(20))).toBe(false);
  });
});

describe("lifetimes", () => {
  it("a refresh token lasts the idle lifetime, but never past the session's end", () => {
    expect(refreshTokenExpiry(at(86_400), T0, config)).toEqual(at(3600));
    expect(refreshTokenExpiry(at(86_400), at(85_000), config)).toEqual(at(86_400));
  });

  it("an access token lasts its lifetime, but never past the session's end", () => {
    expect(accessTokenExpiry(at(86_400), T0, config)).toEqual(at(900));
    expect(accessTokenExpiry(at(86_400), at(86_000), config)).toEqual(at(86_400));
  });
});
