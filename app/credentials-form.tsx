"use client";
// The sign-in and sign-up form: labelled fields with password-manager hints, the API's message inline,
// a pending state while the request runs, and a full navigation afterwards so every gate sees the cookies.
import { useState, type FormEvent } from "react";
import { errorMessage } from "@/lib/client/api";
import { DEFAULT_LANDING_PATH, safeNextPath } from "@/lib/http/next-path";
import { useHydrated } from "@/lib/client/use-hydrated";
import { FormError } from "./form-error";
import { PasswordField } from "./password-field";

interface CredentialsFormProps {
  mode: "login" | "register";
  /** Where to go once signed in: a same-origin path, checked on the server and again before navigating. */
  next: string;
}

const TEXT = {
  login: { endpoint: "/api/auth/login", submit: "Sign in", pending: "Signing in…", password: "current" },
  register: { endpoint: "/api/auth/register", submit: "Create account", pending: "Creating account…", password: "new" },
} as const;

export function CredentialsForm({ mode, next }: CredentialsFormProps) {
  const text = TEXT[mode];
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [email, setEmail] = useState("");
  const hydrated = useHydrated();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    try {
      const response = await fetch(text.endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ email: form.get("email"), password: form.get("password") }),
      });
      if (response.ok) {
        window.location.assign(safeNextPath(next) ?? DEFAULT_LANDING_PATH);
        return;
      }
      setError(await errorMessage(response));
    } catch {
      setError("Could not reach the server. Check your connection and try again.");
    }
    setPending(false);
  }

  return (
    <form method="post" onSubmit={submit} aria-describedby={error ? "form-error" : undefined}>
      <FormError>{error}</FormError>
      <div className="field">
        <label htmlFor="email">Email</label>
        <input
          id="email"
          name="email"
          type="email"
          autoComplete="username"
          inputMode="email"
          required
          autoFocus
          onChange={(event) => setEmail(event.currentTarget.value)}
        />
      </div>
      <PasswordField id="password" name="password" label="Password" purpose={text.password} related={[email]} />
      <button type="submit" className="primary" disabled={!hydrated || pending} aria-busy={pending}>
        {pending ? text.pending : text.submit}
      </button>
    </form>
  );
}
