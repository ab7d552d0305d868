import type { Metadata } from "next";
import Link from "next/link";
import { connection } from "next/server";
import { authApp } from "@/lib/app/service";
import { DEFAULT_LANDING_PATH } from "@/lib/http/next-path";
import { Brand } from "../brand";
import { CredentialsForm } from "../credentials-form";
import { SsoOption } from "../sso-option";

export const metadata: Metadata = { title: "Create account" };

export default async function RegisterPage() {
  await connection(); // rendered per request: the page carries that request's CSP nonce
  const { config } = await authApp();

  return (
    <main className="auth-page">
      <div className="auth-card">
        <Brand />
        <h1>Create your account</h1>
        {config.allowSignup ? (
          <>
            <p className="lead">One account, signed in safely on every device.</p>
            <CredentialsForm mode="register" next={DEFAULT_LANDING_PATH} />
            {config.oidc && <SsoOption name={config.oidc.name} next={DEFAULT_LANDING_PATH} />}
          </>
        ) : (
          <p className="message info" role="status">
            Sign-up is turned off on this server. Ask an administrator for an account.
          </p>
        )}
        <p className="switch">
          Already have an account? <Link href="/login">Sign in</Link>
        </p>
      </div>
    </main>
  );
}
