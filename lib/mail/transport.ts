// Where a message goes: an SMTP server (SMTP_URL), or, without one, a file per message in the data folder's
// outbox (RFC 5322 `.eml`), so a fresh `npm start` needs no mail set-up and tests can read what was sent.
import { randomBytes } from "node:crypto";
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import nodemailer from "nodemailer";
import type { RenderedMail } from "./messages";

export interface MailTransport {
  /** Delivers one message; resolves with where it went (a file name for the outbox), rejects on failure. */
  deliver(mail: RenderedMail): Promise<{ file?: string }>;
  /** Human wording for the logs. */
  readonly description: string;
}

function envelope(mail: RenderedMail, from: string) {
  return { from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html };
}

/**
 * `smtp://user:pass@host:port` or `smtps://…`. `timeoutMs` bounds connecting, the greeting and every
 * silence of the server afterwards, so a stalled server fails the attempt instead of holding it for minutes.
 */
export function smtpTransport(url: string, from: string, timeoutMs: number): MailTransport {
  const transporter = nodemailer.createTransport({
    url,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
  });
  const { protocol, hostname, port } = new URL(url);
  return {
    description: `${protocol}//${hostname}${port ? `:${port}` : ""}`, // never the credentials
    async deliver(mail) {
      await transporter.sendMail(envelope(mail, from));
      return {};
    },
  };
}

/** Sortable by time: an ISO instant without separators, a counter for the same millisecond, a random tail. */
let sequence = 0;
function outboxName(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(".", "");
  sequence = (sequence + 1) % 1_000_000;
  return `${stamp}-${String(sequence).padStart(6, "0")}-${randomBytes(4).toString("hex")}.eml`;
}

export function outboxTransport(folder: string, from: string): MailTransport {
  // Builds the complete raw message (headers, text and HTML parts) without sending it anywhere.
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "windows" });
  // The folder is made at the first message, not at every one; again if it was removed since.
  let made: Promise<unknown> | undefined;
  const madeFolder = () =>
    (made ??= mkdir(folder, { recursive: true, mode: 0o700 }).catch((error: unknown) => {
      made = undefined;
      throw error;
    }));
  const write = async (message: Buffer): Promise<string> => {
    const name = outboxName(new Date());
    // Written under a hidden name, then renamed: whoever reads the outbox never sees half a message.
    const partial = path.join(folder, `.${name}.partial`);
    await writeFile(partial, message, { mode: 0o600 });
    await rename(partial, path.join(folder, name));
    return path.join(folder, name);
  };
  return {
    description: `outbox ${folder}`,
    async deliver(mail) {
      const message = (await composer.sendMail(envelope(mail, from))).message as Buffer;
      await madeFolder();
      try {
        return { file: await write(message) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
        made = undefined;
        await madeFolder();
        return { file: await write(message) };
      }
    },
  };
}
