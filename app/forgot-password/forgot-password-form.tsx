"use client";
// Asks for a reset link. Whatever the email, the answer is the same "check your email": the page never
// tells whether an account has it.
import { useState, type FormEvent } from "react";
import { errorMessage, postJson } from "@/lib/client/api";
import { useHydrated } from "@/lib/client/use-hydrated";
import { FormError } from "../form-error";

export function ForgotPasswordForm() {
  const [error, setError] = useState<string | null>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const email = String(new FormData(event.currentTarget).get("email") ?? "");
    setPending(true);
    setError(null);
    try {
      const response = await postJson("/api/auth/password/forgot", { email });
      if (response.ok) setSentTo(email.trim());
      else setError(await errorMessage(response));
    } catch {
      setError("Could not reach the server. Check your connection and try again.");
    }
    setPending(false);
  }

  if (sentTo !== null) {
    return (
      <p className="message info" role="status">
        Check your email. If an account uses {sentTo}, we sent it a link to choose a new password. The link works
        once and expires soon.
      </p>
    );
  }

  return (
    <form method="post" onSubmit={submit} aria-describedby={error ? "form-error" : undefined}>
      <FormError>{error}</FormError>
      <div className="field">
        <label htmlFor="email">Email</label>
        <input id="email" name="email" type="email" autoComplete="email" inputMode="email" required autoFocus />
      </div>
      <button type="submit" className="primary" disabled={!hydrated || pending} aria-busy={pending}>
        {pending ? "Sending…" : "Send reset link"}
      </button>
    </form>
  );
}
