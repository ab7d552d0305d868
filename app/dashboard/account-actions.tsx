"use client";
import { useState } from "react";
import { SessionEndedError, signOut } from "@/lib/client/api";
import { useHydrated } from "@/lib/client/use-hydrated";

/** `account`: the id of the account the page shows; the server refuses to sign out any other. */
export function AccountActions({ account }: { account: string }) {
  const [pending, setPending] = useState<"this" | "all" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const hydrated = useHydrated();

  // No "are you sure?": ending every session loses nothing (each device signs in again), and someone who
  // fears a thief is signed in should not be slowed down.
  async function leave(everywhere: boolean) {
    setPending(everywhere ? "all" : "this");
    setError(null);
    try {
      await signOut(everywhere, account);
    } catch (caught) {
      if (caught instanceof SessionEndedError) return;
      // fetch itself throws a TypeError when the server cannot be reached; anything else is the API's message.
      setError(
        caught instanceof TypeError || !(caught instanceof Error)
          ? "Could not sign out. Check your connection and try again."
          : `Could not sign out: ${caught.message}`,
      );
      setPending(null);
    }
  }

  return (
    <section className="panel" aria-labelledby="account-heading">
      <h2 id="account-heading">Sign out</h2>
      <p className="panel-lead">Signing out of all devices also ends sessions on phones and other computers.</p>
      {error && (
        <p className="message error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="button" onClick={() => leave(false)} disabled={!hydrated || pending !== null}>
          {pending === "this" ? "Logging out…" : "Log out"}
        </button>
        <button type="button" className="danger" onClick={() => leave(true)} disabled={!hydrated || pending !== null}>
          {pending === "all" ? "Logging out everywhere…" : "Log out of all devices"}
        </button>
      </div>
    </section>
  );
}
