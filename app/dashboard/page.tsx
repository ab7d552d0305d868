import type { Metadata } from "next";
import { requirePageSession } from "@/lib/http/page-session";
import { Brand } from "../brand";
import { AccountActions } from "./account-actions";
import { RecentActivity } from "./recent-activity";
import { SessionList, type SessionItem } from "./session-list";

export const metadata: Metadata = { title: "Dashboard" };

const RECENT_ACTIVITY_SHOWN = 20;

export default async function DashboardPage() {
  const { principal, service } = await requirePageSession("/dashboard");
  const sessions: SessionItem[] = (await service.listSessions(principal)).map((session) => ({
    id: session.id,
    createdAt: session.createdAt.toISOString(),
    lastUsedAt: session.lastUsedAt.toISOString(),
    userAgent: session.userAgent,
    ip: session.ip,
    current: session.current,
  }));
  const activity = await service.listActivity(principal, RECENT_ACTIVITY_SHOWN);

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
        <SessionList initialSessions={sessions} />
        <RecentActivity events={activity} />
        <AccountActions />
      </main>
    </>
  );
}
