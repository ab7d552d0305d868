import type { ReactNode } from "react";
import { Brand } from "./brand";

/** The frame of the signed-out pages: the brand, a heading, then the page's own content. */
export function AuthCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="auth-page">
      <div className="auth-card">
        <Brand />
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}
