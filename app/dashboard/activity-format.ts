// How the dashboard words an event's time and origin; shared by the alerts and the recent activity.
import type { ActivityView } from "@/lib/auth/types";
import { describeBrowser } from "@/lib/client/describe-device";

// Rendered on the server, so one explicit time zone rather than whatever the server's is.
const TIME = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
  timeZone: "UTC",
});

export function when(date: Date): string {
  return `${TIME.format(date)} UTC`;
}

export function where(event: ActivityView): string {
  if (!event.ip && !event.userAgent) return "By an administrator";
  return [describeBrowser(event.userAgent), event.ip].filter(Boolean).join(" · ");
}
