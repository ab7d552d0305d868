// The one place that writes every message the product sends: subject, plain text and HTML, in the
// product's name and look. Links are built only on APP_URL (config.appUrl), never on a request's Host:
// a reset link built from Host is how reset poisoning works.
import { isIP } from "node:net";
import type { AccountNotice, NoticeSource } from "../auth/notices";
import { describeBrowser } from "../client/describe-device";

export const PRODUCT_NAME = "Keep Signed In";

export interface RenderedMail {
  /** What kind of message this is, for the logs (which never see its body). */
  kind: AccountNotice["kind"];
  to: string;
  subject: string;
  text: string;
  html: string;
}

interface Paragraphs {
  subject: string;
  heading: string;
  /** Plain sentences; each becomes a paragraph. */
  body: string[];
  /** The one call to action, when there is one. */
  action?: { label: string; url: string };
  /** Said after the action. */
  after: string[];
}

/** A link on the public origin: `appUrl` is an origin (see config.ts), `path` one of ours. */
export function appLink(appUrl: string, path: string, token?: string): string {
  const url = new URL(path, appUrl);
  if (token !== undefined) url.searchParams.set("token", token);
  return url.toString();
}

function minutes(expiresAt: Date, from: Date): string {
  const total = Math.max(1, Math.round((expiresAt.getTime() - from.getTime()) / 60_000));
  if (total % 1440 === 0) return total === 1440 ? "24 hours" : `${total / 1440} days`;
  if (total % 60 === 0) return total === 60 ? "1 hour" : `${total / 60} hours`;
  return total === 1 ? "1 minute" : `${total} minutes`;
}

/**
 * When, which browser, which address: the lines every security notice carries. Nothing a client sent goes
 * in as it was: the browser is named from a fixed list, and an address that is not an IP address (a forged
 * forwarding header could hold a link) is "unknown".
 */
function where(source: NoticeSource): string[] {
  return [
    `When: ${source.at.toUTCString()}`,
    `Browser: ${describeBrowser(source.userAgent)}`,
    `Address: ${source.ip && isIP(source.ip) ? source.ip : "unknown"}`,
  ];
}

function notYou(appUrl: string): Pick<Paragraphs, "action" | "after"> {
  return {
    action: { label: "Reset your password", url: appLink(appUrl, "/forgot-password") },
    after: ["If this was you, there is nothing to do. If it was not, reset your password now: that signs out every device."],
  };
}

function paragraphs(notice: AccountNotice, appUrl: string, now: Date): Paragraphs {
  switch (notice.kind) {
    case "password_reset_link":
      return {
        subject: `Reset your ${PRODUCT_NAME} password`,
        heading: "Reset your password",
        body: [`Someone asked to reset the password of the ${PRODUCT_NAME} account for ${notice.to}.`],
        action: { label: "Choose a new password", url: appLink(appUrl, "/reset-password", notice.token) },
        after: [
          `The link works once, for ${minutes(notice.expiresAt, now)}. Asking again makes this one stop working.`,
          "If you did not ask, ignore this email: your password stays as it is.",
        ],
      };
    case "verify_email_link":
      return {
        subject: `Confirm your email for ${PRODUCT_NAME}`,
        heading: "Confirm your email address",
        body: [`Please confirm that ${notice.to} is your address.`],
        action: { label: "Confirm my email", url: appLink(appUrl, "/verify-email", notice.token) },
        after: [
          `The link works once, for ${minutes(notice.expiresAt, now)}.`,
          `If you did not create a ${PRODUCT_NAME} account, ignore this email.`,
        ],
      };
    case "new_device":
      return {
        subject: `New sign-in to your ${PRODUCT_NAME} account`,
        heading: "A new browser signed in",
        body: ["Your account was signed in from a browser it had not used before.", ...where(notice)],
        ...notYou(appUrl),
      };
    case "password_changed":
      return {
        subject: `Your ${PRODUCT_NAME} password was ${notice.how === "reset" ? "reset" : "changed"}`,
        heading: notice.how === "reset" ? "Your password was reset" : "Your password was changed",
        body: [
          notice.how === "reset"
            ? "The password of your account was reset with a link sent to this address, and every device was signed out."
            : "The password of your account was changed, and every other device was signed out.",
          ...where(notice),
        ],
        ...notYou(appUrl),
      };
    case "refresh_reused":
      return {
        subject: `A session of your ${PRODUCT_NAME} account was ended`,
        heading: "We ended a session for safety",
        body: [
          "A sign-in token of your account was used again after it had been replaced, which is what a stolen token looks like, so that session was ended.",
          ...where(notice),
        ],
        ...notYou(appUrl),
      };
  }
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character]!);
}

function asText(content: Paragraphs): string {
  const lines = [content.heading, "", ...content.body.flatMap((line) => [line])];
  if (content.action) lines.push("", `${content.action.label}:`, content.action.url);
  lines.push("", ...content.after.flatMap((line) => [line, ""]), `— ${PRODUCT_NAME}`);
  return `${lines.join("\n").replace(/\n{3,}/g, "\n\n").trim()}\n`;
}

// Inline styles: mail clients drop stylesheets. The colours are app/globals.css's.
function asHtml(content: Paragraphs): string {
  const paragraph = (text: string) => `<p style="margin:0 0 12px">${escapeHtml(text)}</p>`;
  const action = content.action
    ? `<p style="margin:20px 0"><a href="${escapeHtml(content.action.url)}" style="display:inline-block;background:#2f5bd3;color:#ffffff;text-decoration:none;font-weight:600;padding:10px 18px;border-radius:8px">${escapeHtml(content.action.label)}</a></p>` +
      `<p style="margin:0 0 12px;color:#5b6676;font-size:14px">Or open this address: <a href="${escapeHtml(content.action.url)}" style="color:#2f5bd3;word-break:break-all">${escapeHtml(content.action.url)}</a></p>`
    : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(content.subject)}</title></head>
<body style="margin:0;background:#f5f6f8;color:#1c2430;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif">
<div style="max-width:32rem;margin:0 auto;padding:24px 16px">
<p style="margin:0 0 16px;font-weight:650"><span style="display:inline-block;width:28px;height:28px;line-height:28px;text-align:center;border-radius:7px;background:#2f5bd3;color:#ffffff">K</span> ${PRODUCT_NAME}</p>
<div style="background:#ffffff;border:1px solid #dde1e7;border-radius:10px;padding:24px">
<h1 style="font-size:20px;margin:0 0 12px">${escapeHtml(content.heading)}</h1>
${content.body.map(paragraph).join("\n")}
${action}
${content.after.map(paragraph).join("\n")}
</div>
</div>
</body></html>
`;
}

/** Renders `notice` for its recipient. `now` is when it is written, for "the link works for N minutes". */
export function renderNotice(notice: AccountNotice, appUrl: string, now = new Date()): RenderedMail {
  const content = paragraphs(notice, appUrl, now);
  return { kind: notice.kind, to: notice.to, subject: content.subject, text: asText(content), html: asHtml(content) };
}
