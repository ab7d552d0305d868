"use client";
import { useEffect, useState } from "react";
import { apiFetch, errorMessage, SessionEndedError } from "@/lib/client/api";
import { onSignedOutElsewhere } from "@/lib/client/auth-channel";
import { describeBrowser, describeLastUsed } from "@/lib/client/describe-device";
import { useHydrated } from "@/lib/client/use-hydrated";

export interface SessionItem {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  userAgent: string | null;
  ip: string | null;
  current: boolean;
}

/** `account`: the id of the account the page shows; every request is made for it alone. */
export function SessionList({ account, initialSessions }: { account: string; initialSessions: SessionItem[] }) {
  const [sessions, setSessions] = useState(initialSessions);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const hydrated = useHydrated();

  useEffect(() => onSignedOutElsewhere(() => window.location.assign("/login")), []);

  async function run(id: string, request: () => Promise<Response>) {
    setBusy(id);
    setError(null);
    try {
      const response = await request();
      if (!response.ok) throw new Error(await errorMessage(response));
      const list = await apiFetch("/api/auth/sessions", { account });
      if (!list.ok) throw new Error(await errorMessage(list));
      setSessions(((await list.json()) as { sessions: SessionItem[] }).sessions);
    } catch (caught) {
      if (caught instanceof SessionEndedError) return;
      setError(caught instanceof Error ? caught.message : "Something went wrong.");
    } finally {
      setBusy(null);
    }
  }

  const reload = () => run("reload", () => Promise.resolve(new Response(null, { status: 204 })));
  const revoke = (id: string) => run(id, () => apiFetch(`/api/auth/sessions/${encodeURIComponent(id)}`, { method: "DELETE", account }));

  return (
    <section className="panel" aria-labelledby="sessions-heading">
      <div className="panel-header">
        <h2 id="sessions-heading">Where you are signed in</h2>
        <button type="button" onClick={reload} disabled={!hydrated || busy !== null}>
          {busy === "reload" ? "Refreshing…" : "Refresh list"}
        </button>
      </div>
      <p className="panel-lead">Revoke any device you do not recognise; it is signed out at once.</p>
      {error && (
        <p className="message error" role="alert">
          {error}
        </p>
      )}
      <ul className="sessions" aria-label="Sessions">
        {sessions.map((session) => (
          <li key={session.id} data-testid="session" data-current={session.current || undefined}>
            <div>
              <div className="session-name">
                {describeBrowser(session.userAgent)}
                {session.current && <span className="badge">This device</span>}
              </div>
              <div className="session-meta">
                Last used <time dateTime={session.lastUsedAt} suppressHydrationWarning>{describeLastUsed(session.lastUsedAt)}</time>
                {session.ip && <> · {session.ip}</>}
              </div>
            </div>
            {!session.current && (
              <button
                type="button"
                className="danger"
                onClick={() => revoke(session.id)}
                disabled={!hydrated || busy !== null}
              >
                {busy === session.id ? "Revoking…" : "Revoke"}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
