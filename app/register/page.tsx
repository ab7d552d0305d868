import type { Metadata } from "next";
import Link from "next/link";
import { Brand } from "../brand";
import { CredentialsForm } from "../credentials-form";

export const metadata: Metadata = { title: "Create account" };

export default function RegisterPage() {
  return (
    <main className="auth-page">
      <div className="auth-card">
        <Brand />
        <h1>Create your account</h1>
        <p className="lead">One account, signed in safely on every device.</p>
        <CredentialsForm mode="register" next="/dashboard" />
        <p className="switch">
          Already have an account? <Link href="/login">Sign in</Link>
        </p>
      </div>
    </main>
  );
}
