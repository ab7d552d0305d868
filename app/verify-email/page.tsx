import type { Metadata } from "next";
import Link from "next/link";
import { connection } from "next/server";
import { AuthCard } from "../auth-card";
import { VerifyEmail } from "./verify-email";

// The address holds the link's token: no Referer may carry it anywhere (next.config.js sends the header too).
export const metadata: Metadata = { title: "Confirm your email", referrer: "no-referrer" };

export default async function VerifyEmailPage() {
  await connection(); // rendered per request: the page carries that request's CSP nonce
  return (
    <AuthCard title="Confirm your email">
      <VerifyEmail />
      <p className="switch">
        <Link href="/dashboard">Go to your account</Link>
      </p>
    </AuthCard>
  );
}
