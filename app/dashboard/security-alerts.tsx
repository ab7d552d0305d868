// Server-rendered: what the owner should act on (a reused refresh token, a sign-in from a new browser),
// read apart from the recent activity so that a flood of other events cannot push it out of view.
import { SECURITY_ALERT_DAYS } from "@/lib/auth/activity";
import type { ActivityView } from "@/lib/auth/types";
import { when, where } from "./activity-format";

const IF_NOT_YOU = "If this was not you, change your password and log out of all devices.";

export function SecurityAlerts({ alerts }: { alerts: ActivityView[] }) {
  const reuse = alerts.find((alert) => alert.type === "refresh_reused");
  return (
    <section className="panel" aria-labelledby="alerts-heading">
      <h2 id="alerts-heading">Security alerts</h2>
      <p className="panel-lead">Events of the last {SECURITY_ALERT_DAYS} days worth a second look, newest first.</p>
      {reuse && (
        <div className="message warning" role="alert">
          <strong>Someone may have a copy of one of your sessions.</strong> On {when(reuse.createdAt)} a sign-in
          token that had already been used was presented again ({where(reuse)}), so we ended that session. {IF_NOT_YOU}
        </div>
      )}
      {alerts.length === 0 ? (
        <p className="session-meta">No security alerts.</p>
      ) : (
        <ul className="activity" aria-label="Security alerts">
          {alerts.map((alert, index) => (
            <li key={index} data-testid="security-alert" data-type={alert.type}>
              <div className="activity-name warning-text">
                {alert.type === "refresh_reused" ? "A used sign-in token was presented again" : "Sign-in from a new browser or device"}
              </div>
              <div className="session-meta">
                <time dateTime={alert.createdAt.toISOString()}>{when(alert.createdAt)}</time> · {where(alert)}
                {alert.type === "new_device" && <> · {IF_NOT_YOU}</>}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
