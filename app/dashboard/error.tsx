"use client";
// Shown when the dashboard cannot be rendered, typically while the database is unreachable.
export default function DashboardError({ reset }: { error: Error; reset: () => void }) {
  return (
    <main className="auth-page">
      <div className="auth-card">
        <h1>We could not load your account</h1>
        <p className="lead" role="status">
          The service is briefly unavailable. You are still signed in; please try again in a moment.
        </p>
        <button type="button" className="primary" onClick={reset}>
          Try again
        </button>
      </div>
    </main>
  );
}
