import type { Metadata } from "next";
import Link from "next/link";
import { headers } from "next/headers";
import { connection } from "next/server";
import { authApp } from "@/lib/app/service";
import { LINK_TOKEN_HEADER } from "@/lib/http/link-token-url.mjs";
import { AuthCard } from "../auth-card";
import { ResetPasswordForm } from "./reset-password-form";

// The address holds the link's token: no Referer may carry it anywhere (next.config.js sends the header too).
export const metadata: Metadata = { title: "Choose a new password", referrer: "no-referrer" };

/**
 * Checks the link before asking for a password, so a spent or expired one says so at once. The token is
 * only looked up here, never rendered: `npm start`'s server hands it over in a header and renders the page
 * for the URL without it (lib/http/link-token-url.mjs), and the form takes it from the address bar itself.
 */
export default async function ResetPasswordPage() {
  await connection();
  const token = (await headers()).get(LINK_TOKEN_HEADER);
  const { service } = await authApp();
  const usable = token !== null && token !== "" && (await service.isResetLinkUsable(token));

  return (
    <AuthCard title="Choose a new password">
      {usable ? (
        <>
          <p className="lead">Every device signed in to your account will be signed out.</p>
          <ResetPasswordForm />
        </>
      ) : (
        <BadResetLink />
      )}
      <p className="switch">
        <Link href="/login">Back to sign in</Link>
      </p>
    </AuthCard>
  );
}

function BadResetLink() {
  return (
    <p className="message error" role="alert">
      This reset link is not valid or has expired. <Link href="/forgot-password">Ask for a new link</Link>.
    </p>
  );
}
