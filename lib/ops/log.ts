// Structured logs: one JSON object per line on stdout, for any log collector to pick up. The entries come
// from the auth core, whose entry type has no field for a token, a password or a hash.
import type { AuthLogEntry } from "../auth/activity";

export function jsonLine(entry: AuthLogEntry): string {
  const { at, event, level, ...fields } = entry;
  return JSON.stringify({ time: at.toISOString(), level, event: `auth.${event}`, ...fields });
}

export function logJson(entry: AuthLogEntry): void {
  process.stdout.write(`${jsonLine(entry)}\n`);
}
