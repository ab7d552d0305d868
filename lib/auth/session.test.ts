import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadAuthConfig } from "./config";
import { decideRefresh } from "./refresh-token";
import {
  accessTokenExpiry,
  addSeconds,
  refreshTokenEnd,
  refreshTokenExpiry,
  sessionValidity,
  type SessionLifetime,
  type SessionValidity,
} from "./session";

const T0 = new Date("2030-01-01T00:00:00.000Z");
const at = (seconds: number) => addSeconds(T0, seconds);
const config = loadAuthConfig({ AUTH_ACCESS_TTL: "900", AUTH_REFRESH_TTL: "86400", AUTH_REFRESH_IDLE_TTL: "3600" });

describe("sessionValidity", () => {
  it("is live until its absolute end", () => {
    const session = { absoluteExpiresAt: at(100), idleExpiresAt: at(200), revokedAt: null };
    expect(sessionValidity(session, at(99.999))).toBe("live");
    expect(sessionValidity(session, at(100))).toBe("expired");
  });

  it("is live until its idle end", () => {
    const session = { absoluteExpiresAt: at(200), idleExpiresAt: at(100), revokedAt: null };
    expect(sessionValidity(session, at(99.999))).toBe("live");
    expect(sessionValidity(session, at(100))).toBe("idle");
  });

  it("is dead once revoked", () => {
    expect(sessionValidity({ absoluteExpiresAt: at(100), idleExpiresAt: at(100), revokedAt: at(10) }, at(20))).toBe("revoked");
  });
});

/** Session states around one instant: ends before, at and after it, revoked or not, to the millisecond. */
const offset = fc.integer({ min: -5_000, max: 5_000 });
const sessionState = fc.record({
  absoluteExpiresAt: offset.map((ms) => new Date(T0.getTime() + ms)),
  idleExpiresAt: offset.map((ms) => new Date(T0.getTime() + ms)),
  revokedAt: fc.option(offset.map((ms) => new Date(T0.getTime() + ms)), { nil: null }),
});
const instant = offset.map((ms) => new Date(T0.getTime() + ms));

describe("sessionValidity over generated session states", () => {
  it("is live exactly when not revoked and before both ends, and names the first reason that holds", () => {
    fc.assert(
      fc.property(sessionState, instant, (session, now) => {
        const expected: SessionValidity =
          session.revokedAt !== null ? "revoked"
          : now >= session.absoluteExpiresAt ? "expired"
          : now >= session.idleExpiresAt ? "idle"
          : "live";
        expect(sessionValidity(session, now)).toBe(expected);
      }),
    );
  });

  it("never comes back: a session that is not live stays ended at every later instant", () => {
    fc.assert(
      fc.property(sessionState, instant, fc.integer({ min: 0, max: 10_000 }), (session, now, later) => {
        fc.pre(sessionValidity(session, now) !== "live");
        expect(sessionValidity(session, new Date(now.getTime() + later))).not.toBe("live");
      }),
    );
  });

  it("refresh agrees with it: an unspent token rotates only in a live session, and is refused for the reason it gives", () => {
    fc.assert(
      fc.property(sessionState, instant, fc.integer({ min: 0, max: 60 }), (session: SessionLifetime, now, grace) => {
        const decision = decideRefresh({ spentAt: null }, session, now, grace);
        const validity = sessionValidity(session, now);
        if (validity === "live") expect(decision).toEqual({ action: "rotate" });
        else expect(decision).toMatchObject({ action: "reject", code: validity === "revoked" ? "refresh_revoked" : "refresh_expired" });
      }),
    );
  });

  it("a live session's refresh token works until refreshTokenEnd, and not at it", () => {
    fc.assert(
      fc.property(sessionState, (session) => {
        fc.pre(session.revokedAt === null);
        const end = refreshTokenEnd(session);
        expect(sessionValidity(session, new Date(end.getTime() - 1))).toBe("live");
        expect(sessionValidity(session, end)).not.toBe("live");
      }),
    );
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
