"use client";
// The ways this account can sign in: its password, and each connected single sign-on identity, with
// "Connect" (through the provider's pages) and "Disconnect" (refused for the last way in).
import { useState } from "react";
import { useSearchParams } from "next/navigation";
import { apiFetch, errorMessage, SessionEndedError } from "@/lib/client/api";
import { useHydrated } from "@/lib/client/use-hydrated";

export interface IdentityItem {
  id: string;
  email: string | null;
  linkedAt: string;
}

interface SignInMethodsProps {
  /** The configured provider's name, or null when there is none (identities are still listed). */
  providerName: string | null;
  password: boolean;
  initialIdentities: IdentityItem[];
}

const DATE = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });

/** The callback's outcome of a connection, from `/dashboard?sso=<code>` (lib/http/sso.ts). */
function outcomeMessage(code: string | null, name: string): { text: string; error: boolean } | null {
  switch (code) {
    case null:
      return null;
    case "connected":
      return { text: `${name} is now connected: you can sign in with it.`, error: false };
    case "identity_taken":
      return { text: `That ${name} sign-in is already connected to another account.`, error: true };
    case "session_ended":
      return { text: "Your session ended before the connection finished. Sign in and try again.", error: true };
    case "unavailable":
      return { text: `${name} is not answering right now. Please try again in a moment.`, error: true };
    default:
      return { text: `Connecting ${name} did not complete. Please try again.`, error: true };
  }
}

export function SignInMethods({ providerName, password, initialIdentities }: SignInMethodsProps) {
  const name = providerName ?? "Single sign-on";
  const [identities, setIdentities] = useState(initialIdentities);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const outcome = outcomeMessage(useSearchParams().get("sso"), name);
  const hydrated = useHydrated();

  async function connect() {
    setBusy("connect");
    setError(null);
    try {
      const response = await apiFetch("/api/auth/oidc/link", { method: "POST" });
      if (!response.ok) throw new Error(await errorMessage(response));
      window.location.assign(((await response.json()) as { location: string }).location);
    } catch (caught) {
      if (caught instanceof SessionEndedError) return;
      setError(caught instanceof Error ? caught.message : "Something went wrong.");
      setBusy(null);
    }
  }

  async function disconnect(id: string) {
    setBusy(id);
    setError(null);
    try {
      const response = await apiFetch(`/api/auth/oidc/identities/${encodeURIComponent(id)}`, { method: "DELETE" });
      if (!response.ok) throw new Error(await errorMessage(response));
      setIdentities((current) => current.filter((identity) => identity.id !== id));
    } catch (caught) {
      if (caught instanceof SessionEndedError) return;
      setError(caught instanceof Error ? caught.message : "Something went wrong.");
    } finally {
      setBusy(null);
    }
  }

  return (
    <section className="panel" aria-labelledby="sign-in-methods-heading">
      <h2 id="sign-in-methods-heading">Sign-in methods</h2>
      {outcome && (
        <p className={`message ${outcome.error ? "error" : "info"}`} role={outcome.error ? "alert" : "status"}>
          {outcome.text}
        </p>
      )}
      {error && (
        <p className="message error" role="alert">
          {error}
        </p>
      )}
      <ul className="sign-in-methods">
        <li>
          <span>Password</span>
          <span className="session-meta">{password ? "Set" : "Not set (use “Forgot password?” to set one)"}</span>
        </li>
        {identities.map((identity) => (
          <li key={identity.id} data-testid="connected-identity">
            <span>
              {name}
              {identity.email && <span className="session-meta"> · {identity.email}</span>}
              <span className="session-meta"> · connected {DATE.format(new Date(identity.linkedAt))}</span>
            </span>
            <button type="button" onClick={() => disconnect(identity.id)} disabled={!hydrated || busy !== null}>
              {busy === identity.id ? "Disconnecting…" : "Disconnect"}
            </button>
          </li>
        ))}
      </ul>
      {providerName && (
        <button type="button" onClick={connect} disabled={!hydrated || busy !== null}>
          {busy === "connect" ? "Opening…" : `Connect ${providerName}`}
        </button>
      )}
    </section>
  );
}
