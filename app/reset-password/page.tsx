import type { Metadata } from "next";
import Link from "next/link";
import { connection } from "next/server";
import { authApp } from "@/lib/app/service";
import { AuthCard } from "../auth-card";
import { ResetPasswordForm } from "./reset-password-form";

// The address holds the link's token: no Referer may carry it anywhere (next.config.js sends the header too).
export const metadata: Metadata = { title: "Choose a new password", referrer: "no-referrer" };

/**
 * Checks the link before asking for a password, so a spent or expired one says so at once. The token is
 * only looked up here, never rendered: the form takes it from the address bar itself.
 */
export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  await connection();
  const { token } = await searchParams;
  const { service } = await authApp();
  const usable = typeof token === "string" && token !== "" && (await service.isResetLinkUsable(token));

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
