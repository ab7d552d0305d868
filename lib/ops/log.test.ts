import { describe, expect, it } from "vitest";
import { jsonLine } from "./log";

describe("jsonLine", () => {
  it("writes one JSON object on one line with time, level and a namespaced event", () => {
    const line = jsonLine({
      event: "sign_in",
      level: "info",
      at: new Date("2030-01-01T00:00:00.000Z"),
      userId: "u1",
      sessionId: "s1",
      ip: "192.0.2.1",
      userAgent: "Line\nBreak",
    });
    expect(line).not.toContain("\n");
    expect(JSON.parse(line)).toEqual({
      time: "2030-01-01T00:00:00.000Z",
      level: "info",
      event: "auth.sign_in",
      userId: "u1",
      sessionId: "s1",
      ip: "192.0.2.1",
      userAgent: "Line\nBreak",
    });
  });
});
