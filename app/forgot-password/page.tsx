import type { Metadata } from "next";
import Link from "next/link";
import { connection } from "next/server";
import { AuthCard } from "../auth-card";
import { ForgotPasswordForm } from "./forgot-password-form";

export const metadata: Metadata = { title: "Forgot password" };

export default async function ForgotPasswordPage() {
  await connection(); // rendered per request: the page carries that request's CSP nonce
  return (
    <AuthCard title="Forgot your password?">
      <p className="lead">Enter your email and we will send you a link to choose a new password.</p>
      <ForgotPasswordForm />
      <p className="switch">
        Remembered it? <Link href="/login">Sign in</Link>
      </p>
    </AuthCard>
  );
}
