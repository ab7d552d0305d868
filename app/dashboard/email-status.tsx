"use client";
// The account's address and whether its owner proved it, with a way to send the link again.
import { useState } from "react";
import { apiFetch, errorMessage, SessionEndedError } from "@/lib/client/api";
import { useHydrated } from "@/lib/client/use-hydrated";

export function EmailStatus({ email, verified }: { email: string; verified: boolean }) {
  const [pending, setPending] = useState(false);
  const [outcome, setOutcome] = useState<{ sent: boolean; message: string } | null>(null);
  const hydrated = useHydrated();

  async function resend() {
    setPending(true);
    setOutcome(null);
    try {
      const response = await apiFetch("/api/auth/email/verify/resend", { method: "POST" });
      setOutcome(
        response.ok
          ? { sent: true, message: `We sent a new link to ${email}. It may take a minute to arrive.` }
          : { sent: false, message: await errorMessage(response) },
      );
    } catch (caught) {
      if (caught instanceof SessionEndedError) return;
      setOutcome({ sent: false, message: "Could not reach the server. Check your connection and try again." });
    }
    setPending(false);
  }

  return (
    <section className="panel" aria-labelledby="email-heading">
      <h2 id="email-heading">Email</h2>
      <p className="panel-lead" data-testid="email-status">
        <strong>{email}</strong>
        <span className="badge">{verified ? "Verified" : "Not verified"}</span>
      </p>
      {!verified && (
        <>
          <p className="panel-lead">Confirm your address with the link we sent you, so you can always get back in.</p>
          {outcome && (
            <p className={`message ${outcome.sent ? "info" : "error"}`} role={outcome.sent ? "status" : "alert"}>
              {outcome.message}
            </p>
          )}
          <div className="actions">
            <button type="button" onClick={resend} disabled={!hydrated || pending} aria-busy={pending}>
              {pending ? "Sending…" : "Resend verification email"}
            </button>
          </div>
        </>
      )}
    </section>
  );
}
