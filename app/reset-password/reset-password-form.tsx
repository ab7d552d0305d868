"use client";
import Link from "next/link";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { errorMessage, postJson } from "@/lib/client/api";
import { takeLinkToken } from "@/lib/client/link-token";
import { useHydrated } from "@/lib/client/use-hydrated";
import { FormError } from "../form-error";
import { PasswordField } from "../password-field";

export function ResetPasswordForm() {
  const token = useRef<string | null>(null);
  const [error, setError] = useState<{ message: string; linkBad: boolean } | null>(null);
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();

  useEffect(() => {
    token.current ??= takeLinkToken();
  }, []);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const newPassword = new FormData(event.currentTarget).get("newPassword");
    setPending(true);
    setError(null);
    try {
      const response = await postJson("/api/auth/password/reset", { token: token.current ?? "", newPassword });
      if (response.ok) {
        window.location.assign("/login?reset=done");
        return;
      }
      const linkBad = response.status === 400 && (await response.clone().json().catch(() => ({}))).error === "reset_invalid";
      setError({ message: await errorMessage(response), linkBad });
    } catch {
      setError({ message: "Could not reach the server. Check your connection and try again.", linkBad: false });
    }
    setPending(false);
  }

  return (
    <form method="post" onSubmit={submit} aria-describedby={error ? "form-error" : undefined}>
      <FormError>
        {error && (
          <>
            {error.message} {error.linkBad && <Link href="/forgot-password">Ask for a new link</Link>}
          </>
        )}
      </FormError>
      <PasswordField id="new-password" name="newPassword" label="New password" purpose="new" autoFocus />
      <button type="submit" className="primary" disabled={!hydrated || pending} aria-busy={pending}>
        {pending ? "Saving…" : "Set new password"}
      </button>
    </form>
  );
}
