// The mail component as the app uses it: a notice from the auth core is rendered (messages.ts), queued
// (queue.ts) and delivered through SMTP_URL or into the outbox (transport.ts).
import type { AuthConfig } from "../auth/config";
import type { Notify } from "../auth/notices";
import { renderNotice } from "./messages";
import { MailQueue, type MailLogEntry } from "./queue";
import { outboxTransport, smtpTransport, type MailTransport } from "./transport";

export interface Mailer {
  notify: Notify;
  queue: MailQueue;
  transport: MailTransport;
}

export function createMailer(
  config: Pick<AuthConfig, "smtpUrl" | "mailFrom" | "mailTimeout" | "appUrl">,
  outboxFolder: string,
  log: (entry: MailLogEntry) => void,
): Mailer {
  const transport = config.smtpUrl
    ? smtpTransport(config.smtpUrl, config.mailFrom, config.mailTimeout * 1000)
    : outboxTransport(outboxFolder, config.mailFrom);
  const queue = new MailQueue({ transport, log });
  const notify: Notify = (notice) => {
    try {
      queue.send(renderNotice(notice, config.appUrl));
    } catch (error) {
      // Rendering is ours and cannot fail on good data; if it ever does, the request still succeeds.
      log({ event: "mail_lost", level: "error", kind: notice.kind, reason: error instanceof Error ? error.name : "unknown" });
    }
  };
  return { notify, queue, transport };
}
