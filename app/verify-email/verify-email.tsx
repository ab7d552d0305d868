"use client";
// Confirms the address once the page has loaded in a browser: the link's GET changes nothing, so a mail
// scanner that fetches links does not spend it; the page's own POST does.
import { useEffect, useRef, useState } from "react";
import { errorMessage, postJson } from "@/lib/client/api";
import { takeLinkToken } from "@/lib/client/link-token";

type Outcome = { state: "checking" } | { state: "verified" } | { state: "failed"; message: string };

export function VerifyEmail() {
  const [outcome, setOutcome] = useState<Outcome>({ state: "checking" });
  const started = useRef(false);

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const token = takeLinkToken();
    void (async () => {
      try {
        const response = await postJson("/api/auth/email/verify", { token: token ?? "" });
        setOutcome(response.ok ? { state: "verified" } : { state: "failed", message: await errorMessage(response) });
      } catch {
        setOutcome({ state: "failed", message: "Could not reach the server. Check your connection and reload the page." });
      }
    })();
  }, []);

  if (outcome.state === "checking") {
    return (
      <p className="message info" role="status">
        Confirming your email address…
      </p>
    );
  }
  if (outcome.state === "verified") {
    return (
      <p className="message info" role="status">
        Your email address is confirmed. Thank you.
      </p>
    );
  }
  return (
    <p className="message error" role="alert">
      {outcome.message} You can ask for a new link from your account page.
    </p>
  );
}
