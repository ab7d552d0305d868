// Server-rendered: the person's recent security activity in plain words. Repeated failed sign-ins (which
// anyone who knows the email can cause) are one line with a count; the warnings are in SecurityAlerts.
import type { ActivityType } from "@/lib/auth/activity";
import type { ActivityView } from "@/lib/auth/types";
import { when, where } from "./activity-format";

const WORDING: Record<ActivityType, string> = {
  account_created: "Account created",
  sign_in: "Signed in",
  sign_in_failed: "Failed sign-in attempt (wrong password)",
  new_device: "Signed in from a new browser or device",
  refresh_reused: "A used sign-in token was presented again: that session was ended",
  device_revoked: "Signed out a device",
  logout_all: "Logged out of all devices",
  password_changed: "Password changed",
  password_reset: "Password reset by an administrator",
  sessions_ended: "Signed out of all devices by an administrator",
  session_limit: "Signed out the least recently used device: too many signed-in devices",
  sso_sign_in: "Signed in with single sign-on",
  identity_linked: "Single sign-on connected",
  identity_unlinked: "Single sign-on disconnected",
};

/** One line of the list: an event, or a run of consecutive failed sign-ins (`count` of them, `oldest` first). */
interface ActivityLine {
  event: ActivityView;
  count: number;
  oldest: Date;
}

/**
 * Newest first in, newest first out. A first sign-in from a browser is stored as two events, new_device
 * then sign_in: one line says both. Consecutive failed sign-ins become one line.
 */
function activityLines(events: ActivityView[]): ActivityLine[] {
  const lines: ActivityLine[] = [];
  events.forEach((event, index) => {
    const newer = events[index - 1];
    if (event.type === "sign_in" && newer?.type === "new_device" && +newer.createdAt === +event.createdAt) return;
    const previous = lines.at(-1);
    if (event.type === "sign_in_failed" && previous?.event.type === "sign_in_failed" && newer?.type === "sign_in_failed") {
      previous.count += 1;
      previous.oldest = event.createdAt;
      return;
    }
    lines.push({ event, count: 1, oldest: event.createdAt });
  });
  return lines;
}

interface RecentActivityProps {
  /** Newest first. */
  events: ActivityView[];
  /** Lines shown at most. */
  shown: number;
  /** Whether older events exist than those passed (a run of failures at the end may be longer). */
  truncated: boolean;
}

export function RecentActivity({ events, shown, truncated }: RecentActivityProps) {
  const all = activityLines(events);
  const lines = all.slice(0, shown);
  const openEnded = (index: number) => truncated && index === all.length - 1;
  return (
    <section className="panel" aria-labelledby="activity-heading">
      <h2 id="activity-heading">Recent activity</h2>
      <p className="panel-lead">Sign-ins and security changes on your account, newest first.</p>
      {lines.length === 0 ? (
        <p className="session-meta">No activity yet.</p>
      ) : (
        <ul className="activity" aria-label="Recent activity">
          {lines.map(({ event, count, oldest }, index) => (
            <li key={index} data-testid="activity" data-type={event.type}>
              <div className={event.type === "refresh_reused" ? "activity-name warning-text" : "activity-name"}>
                {count > 1 ? `${count}${openEnded(index) ? "+" : ""} failed sign-ins (wrong password)` : WORDING[event.type]}
              </div>
              <div className="session-meta">
                {count > 1 && (
                  <>
                    <time dateTime={oldest.toISOString()}>{when(oldest)}</time> to{" "}
                  </>
                )}
                <time dateTime={event.createdAt.toISOString()}>{when(event.createdAt)}</time> ·{" "}
                {count > 1 ? `latest from ${where(event)}` : where(event)}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
