import { describe, expect, it } from "vitest";
import { attemptVerdict, checkThrottle, PENDING_STALE_SECONDS } from "./throttle";

const T0 = new Date("2030-01-01T00:00:00.000Z");
const MAX = 5;
const WINDOW = 900;

function at(seconds: number): Date {
  return new Date(T0.getTime() + seconds * 1000);
}

/** Failures at the given offsets in seconds from T0. */
function failuresAt(...offsets: number[]): Date[] {
  return offsets.map(at);
}

describe("checkThrottle", () => {
  it(`allows attempts while fewer than ${MAX} failures are in the window`, () => {
    const failures: Date[] = [];
    for (let attempt = 1; attempt <= MAX; attempt++) {
      expect(checkThrottle(failures, at(attempt * 10), MAX, WINDOW), `attempt ${attempt}`).toEqual({ allowed: true });
      failures.push(at(attempt * 10)); // this attempt failed
    }
    expect(checkThrottle(failures, at(60), MAX, WINDOW).allowed).toBe(false);
  });

  it("refuses until the oldest counted failure is a window old, with a Retry-After to match", () => {
    const failures = failuresAt(10, 20, 30, 40, 50);
    expect(checkThrottle(failures, at(60), MAX, WINDOW)).toEqual({ allowed: false, retryAfterSeconds: 850 });
    expect(checkThrottle(failures, at(909), MAX, WINDOW)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(checkThrottle(failures, at(910), MAX, WINDOW)).toEqual({ allowed: true });
  });

  it("rounds a fractional wait up, and never answers a Retry-After of 0", () => {
    const failures = failuresAt(10, 20, 30, 40, 50);
    expect(checkThrottle(failures, at(909.999), MAX, WINDOW)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(checkThrottle(failures, at(60.5), MAX, WINDOW)).toEqual({ allowed: false, retryAfterSeconds: 850 });
  });

  it("ignores failures older than the window", () => {
    const failures = failuresAt(0, 1, 2, 3, 1000);
    expect(checkThrottle(failures, at(1001), MAX, WINDOW)).toEqual({ allowed: true });
  });

  it("does not depend on the order the failures are given in", () => {
    const failures = failuresAt(50, 10, 40, 20, 30);
    expect(checkThrottle(failures, at(60), MAX, WINDOW)).toEqual({ allowed: false, retryAfterSeconds: 850 });
  });

  it("with more than max failures counted, waits until enough have left the window", () => {
    // 7 failures (concurrent attempts can overshoot): three must leave before fewer than 5 remain.
    const failures = failuresAt(10, 20, 30, 40, 50, 60, 70);
    expect(checkThrottle(failures, at(100), MAX, WINDOW)).toEqual({ allowed: false, retryAfterSeconds: 830 });
    expect(checkThrottle(failures, at(929), MAX, WINDOW).allowed).toBe(false);
    expect(checkThrottle(failures, at(930), MAX, WINDOW)).toEqual({ allowed: true });
  });
});

describe("attemptVerdict", () => {
  const failed = (seconds: number) => ({ at: at(seconds), pending: false });
  const inFlight = (seconds: number) => ({ at: at(seconds), pending: true });

  it("counts attempts in flight with the failures, but refuses for moments, not the window, when they tip it", () => {
    const log = [failed(0), failed(1), failed(2), inFlight(99), inFlight(99)];
    expect(attemptVerdict(log.slice(0, 4), at(100), MAX, WINDOW, 3)).toBe(0);
    expect(attemptVerdict(log, at(100), MAX, WINDOW, 3)).toBe(3);
    expect(attemptVerdict([...log.slice(0, 3), failed(3), failed(4)], at(100), MAX, WINDOW, 3)).toBe(800); // settled: the window
  });

  it("counts an attempt pending for longer than any check takes as a failure (its server died)", () => {
    const stale = Array.from({ length: MAX }, () => inFlight(0));
    expect(attemptVerdict(stale, at(PENDING_STALE_SECONDS + 1), MAX, WINDOW, 3)).toBe(WINDOW - PENDING_STALE_SECONDS - 1);
  });

  it("refuses past `maxInFlight` attempts in flight however few failures there are", () => {
    const log = Array.from({ length: 4 }, () => inFlight(10));
    expect(attemptVerdict(log, at(10), 300, 60, 3, 5)).toBe(0);
    expect(attemptVerdict([...log, inFlight(10)], at(10), 300, 60, 3, 5)).toBe(3);
  });

  it("ignores entries outside the subject's own window", () => {
    expect(attemptVerdict(Array.from({ length: MAX }, () => failed(0)), at(61), MAX, 60, 3)).toBe(0);
  });
});
