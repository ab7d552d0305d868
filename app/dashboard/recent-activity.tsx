// Server-rendered: the person's recent security activity in plain words, and a warning when a refresh
// token was reused (a sign that someone copied it).
import type { ActivityType } from "@/lib/auth/activity";
import type { ActivityView } from "@/lib/auth/service";
import { describeBrowser } from "@/lib/client/describe-device";

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
};

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

function when(date: Date): string {
  return `${TIME.format(date)} UTC`;
}

function where(event: ActivityView): string {
  if (!event.ip && !event.userAgent) return "By an administrator";
  return [describeBrowser(event.userAgent), event.ip].filter(Boolean).join(" · ");
}

/** A first sign-in from a browser is stored as two events, new_device then sign_in; one line says both. */
function oneLinePerSignIn(events: ActivityView[]): ActivityView[] {
  return events.filter((event, index) => {
    const newer = events[index - 1];
    return !(event.type === "sign_in" && newer?.type === "new_device" && +newer.createdAt === +event.createdAt);
  });
}

export function RecentActivity({ events: all }: { events: ActivityView[] }) {
  const events = oneLinePerSignIn(all);
  const reuse = events.find((event) => event.type === "refresh_reused");
  return (
    <section className="panel" aria-labelledby="activity-heading">
      <h2 id="activity-heading">Recent activity</h2>
      <p className="panel-lead">Sign-ins and security changes on your account, newest first.</p>
      {reuse && (
        <div className="message warning" role="alert">
          <strong>Someone may have a copy of one of your sessions.</strong> On {when(reuse.createdAt)} a sign-in
          token that had already been used was presented again ({where(reuse)}), so we ended that session. If
          this was not you, change your password and log out of all devices.
        </div>
      )}
      {events.length === 0 ? (
        <p className="session-meta">No activity yet.</p>
      ) : (
        <ul className="activity" aria-label="Recent activity">
          {events.map((event, index) => (
            <li key={index} data-testid="activity" data-type={event.type}>
              <div className={event.type === "refresh_reused" ? "activity-name warning-text" : "activity-name"}>
                {WORDING[event.type]}
              </div>
              <div className="session-meta">
                <time dateTime={event.createdAt.toISOString()}>{when(event.createdAt)}</time> · {where(event)}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
