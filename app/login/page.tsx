import type { Metadata } from "next";
import Link from "next/link";
import { authApp } from "@/lib/app/service";
import { loginPageCookies } from "@/lib/http/page-session";
import { DEFAULT_LANDING_PATH, safeNextPath } from "@/lib/http/next-path";
import { Brand } from "../brand";
import { CredentialsForm } from "../credentials-form";
import { SsoOption, ssoFailureMessage } from "../sso-option";

export const metadata: Metadata = { title: "Sign in" };

type LoginParams = {
  next?: string | string[];
  error?: string | string[];
  reset?: string | string[];
};

export default async function LoginPage({ searchParams }: { searchParams: Promise<LoginParams> }) {
  const { next, error, reset } = await searchParams;
  const { config } = await authApp();
  const ssoFailed = error === "oidc";
  const target = safeNextPath(typeof next === "string" ? next : null) ?? DEFAULT_LANDING_PATH;
  // "ended": the session ended without this person's own logout (expired, revoked elsewhere, reuse).
  const { authState, ssoFailure } = await loginPageCookies();
  const expired = authState === "ended";

  return (
    <main className="auth-page">
      <div className="auth-card">
        <Brand />
        <h1>Sign in</h1>
        <p className="lead">Welcome back. Sign in to continue.</p>
        {reset === "done" && (
          <p className="message info" role="status">
            Your password was changed. Sign in with your new password.
          </p>
        )}
        {expired && reset !== "done" && (
          <p className="message info" role="status">
            Your session has expired. Please sign in again.
          </p>
        )}
        {ssoFailed && (
          <p className="message error" role="alert" data-testid="sso-error">
            {ssoFailureMessage(ssoFailure, config.oidc?.name ?? "single sign-on")}
          </p>
        )}
        <CredentialsForm mode="login" next={target} />
        {config.oidc && <SsoOption name={config.oidc.name} next={target} />}
        <p className="switch">
          <Link href="/forgot-password">Forgot password?</Link>
        </p>
        <p className="switch">
          New here? <Link href="/register">Create an account</Link>
        </p>
      </div>
    </main>
  );
}
