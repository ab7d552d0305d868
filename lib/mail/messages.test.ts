// The one renderer of every message: links on APP_URL only, nothing a client sent rendered as it was.
import { describe, expect, it } from "vitest";
import type { AccountNotice } from "../auth/notices";
import { renderNotice } from "./messages";

const APP_URL = "https://app.keep.test";
const at = new Date("2030-01-01T12:00:00.000Z");
const source = { at, ip: "203.0.113.7", userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0" };
const NOTICES: AccountNotice[] = [
  { kind: "password_reset_link", to: "ann@example.com", token: "t".repeat(43), expiresAt: new Date(at.getTime() + 1_800_000) },
  { kind: "verify_email_link", to: "ann@example.com", token: "v".repeat(43), expiresAt: new Date(at.getTime() + 86_400_000) },
  { kind: "new_device", to: "ann@example.com", ...source },
  { kind: "password_changed", how: "changed", to: "ann@example.com", ...source },
  { kind: "password_changed", how: "reset", to: "ann@example.com", ...source },
  { kind: "refresh_reused", to: "ann@example.com", ...source },
];

function links(text: string): string[] {
  return [...text.matchAll(/https?:\/\/[^\s"<>]+/g)].map((match) => match[0]);
}

describe("renderNotice", () => {
  it.each(NOTICES.map((notice) => [notice.kind, notice] as const))("%s: text and HTML, every link on APP_URL", (_kind, notice) => {
    const mail = renderNotice(notice, APP_URL, at);
    expect(mail.to).toBe("ann@example.com");
    expect(mail.subject).toContain("Keep Signed In");
    expect(mail.html).toMatch(/^<!doctype html>/);
    for (const link of [...links(mail.text), ...links(mail.html)]) expect(new URL(link).origin).toBe(APP_URL);
    if (notice.kind === "password_reset_link") expect(mail.text).toContain(`${APP_URL}/reset-password?token=${"t".repeat(43)}`);
    if (notice.kind === "verify_email_link") expect(mail.text).toContain(`${APP_URL}/verify-email?token=${"v".repeat(43)}`);
    if ("ip" in notice) {
      expect(mail.text).toContain("Browser: Firefox on Linux");
      expect(mail.text).toContain("Address: 203.0.113.7");
      expect(mail.text).toContain("When: Tue, 01 Jan 2030 12:00:00 GMT");
      expect(mail.text).toContain(`${APP_URL}/forgot-password`);
    }
  });

  it("says how long a link works", () => {
    expect(renderNotice(NOTICES[0]!, APP_URL, at).text).toContain("for 30 minutes");
    expect(renderNotice(NOTICES[1]!, APP_URL, at).text).toContain("for 24 hours");
  });

  it("renders no client-chosen text: a forged address becomes 'unknown', markup is escaped", () => {
    const forged = renderNotice(
      { kind: "refresh_reused", to: "ann@example.com", at, ip: "https://evil.example/reset", userAgent: "<script>alert(1)</script>" },
      APP_URL,
      at,
    );
    expect(`${forged.text}${forged.html}`).not.toContain("evil.example");
    expect(forged.text).toContain("Address: unknown");
    expect(forged.html).not.toContain("<script>");
    const tricky = renderNotice({ kind: "verify_email_link", to: "a&b\"<x>@example.com", token: "t", expiresAt: at }, APP_URL, at);
    expect(tricky.html).toContain("a&amp;b&quot;&lt;x&gt;@example.com");
  });
});
