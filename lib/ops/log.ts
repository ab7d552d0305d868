// Structured logs: one JSON object per line on stdout, for any log collector to pick up. The entries come
// from the auth core, whose entry type has no field for a token, a password or a hash.
import type { AuthLogEntry } from "../auth/activity";
import type { MailLogEntry } from "../mail/queue";

export function jsonLine(entry: AuthLogEntry): string {
  const { at, event, level, ...fields } = entry;
  return JSON.stringify({ time: at.toISOString(), level, event: `auth.${event}`, ...fields });
}

export function logJson(entry: AuthLogEntry): void {
  process.stdout.write(`${jsonLine(entry)}\n`);
}

/** The mail component's entries, in the same shape: `mail.<event>` with the message's kind, never its body. */
export function logMailJson(entry: MailLogEntry): void {
  const { event, level, ...fields } = entry;
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, event: `mail.${event.replace(/^mail_/, "")}`, ...fields })}\n`);
}

/** For work done after the response (nobody is waiting to be told): the error's name only, which holds no data. */
export function logBackgroundFailure(task: string): (error: unknown) => void {
  return (error) => {
    const reason = error instanceof Error ? ((error as { code?: unknown }).code ?? error.name) : "unknown";
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: "error", event: `auth.${task}_failed`, reason })}\n`);
  };
}
