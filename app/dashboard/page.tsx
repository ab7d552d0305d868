import type { Metadata } from "next";
import { authApp } from "@/lib/app/service";
import { requirePageSession } from "@/lib/http/page-session";
import { Brand } from "../brand";
import { AccountActions } from "./account-actions";
import { EmailStatus } from "./email-status";
import { RecentActivity } from "./recent-activity";
import { SecurityAlerts } from "./security-alerts";
import { SessionList, type SessionItem } from "./session-list";
import { SignInMethods } from "./sign-in-methods";

export const metadata: Metadata = { title: "Dashboard" };

const RECENT_ACTIVITY_SHOWN = 20;
/** Read beyond the lines shown, so that a run of failed sign-ins folded into one line has its count. */
const RECENT_ACTIVITY_READ = 100;

export default async function DashboardPage() {
  const { principal, service } = await requirePageSession("/dashboard");
  // Every read at once: one round trip on PostgreSQL.
  const [{ sessions: sessionViews, activity, alerts, signInMethods }, { config }] = await Promise.all([
    service.accountOverview(principal, RECENT_ACTIVITY_READ),
    authApp(),
  ]);
  const sessions: SessionItem[] = sessionViews.map((session) => ({
    id: session.id,
    createdAt: session.createdAt.toISOString(),
    lastUsedAt: session.lastUsedAt.toISOString(),
    userAgent: session.userAgent,
    ip: session.ip,
    current: session.current,
  }));

  return (
    <>
      <header className="topbar">
        <Brand />
        <span className="session-meta" data-testid="signed-in-as">
          {principal.user.email}
        </span>
      </header>
      <main className="dashboard">
        <h1>Your account</h1>
        <p className="lead">
          Signed in as <strong>{principal.user.email}</strong>
        </p>
        <EmailStatus email={principal.user.email} verified={principal.user.emailVerified ?? false} />
        <SecurityAlerts alerts={alerts} />
        <SessionList account={principal.user.id} initialSessions={sessions} />
        <SignInMethods
          providerName={config.oidc?.name ?? null}
          password={signInMethods.password}
          initialIdentities={signInMethods.identities.map((identity) => ({
            id: identity.id,
            email: identity.email,
            linkedAt: identity.linkedAt.toISOString(),
          }))}
        />
        <RecentActivity events={activity} shown={RECENT_ACTIVITY_SHOWN} truncated={activity.length === RECENT_ACTIVITY_READ} />
        <AccountActions account={principal.user.id} />
      </main>
    </>
  );
}
