import type { Metadata } from "next";
import Link from "next/link";
import { browserAuthState } from "@/lib/http/page-session";
import { DEFAULT_LANDING_PATH, safeNextPath } from "@/lib/http/next-path";
import { Brand } from "../brand";
import { CredentialsForm } from "../credentials-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const { next } = await searchParams;
  const target = safeNextPath(typeof next === "string" ? next : null) ?? DEFAULT_LANDING_PATH;
  // "ended": the session ended without this person's own logout (expired, revoked elsewhere, reuse).
  const expired = (await browserAuthState()) === "ended";

  return (
    <main className="auth-page">
      <div className="auth-card">
        <Brand />
        <h1>Sign in</h1>
        <p className="lead">Welcome back. Sign in to continue.</p>
        {expired && (
          <p className="message info" role="status">
            Your session has expired. Please sign in again.
          </p>
        )}
        <CredentialsForm mode="login" next={target} />
        <p className="switch">
          New here? <Link href="/register">Create an account</Link>
        </p>
      </div>
    </main>
  );
}
