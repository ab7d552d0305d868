// "Continue with <provider>" under the sign-in and sign-up forms, shown only when a provider is configured.
// A plain link, so no script is needed and it works before the page hydrates: the start endpoint redirects
// to the provider. It is offered as the contract's button (role="button"; Enter follows it). A form would be a
// button without the role, but CSP's form-action 'self' also governs where its redirect may go, and the
// provider's authorization endpoint is only known after discovery.
export function SsoOption({ name, next }: { name: string; next: string }) {
  return (
    <div className="sso-option">
      <p className="divider" aria-hidden="true">
        or
      </p>
      <a className="button sso" role="button" href={`/api/auth/oidc/start?next=${encodeURIComponent(next)}`}>
        {`Continue with ${name}`}
      </a>
    </div>
  );
}

/**
 * The sentence for a failed single sign-on's code (lib/http/sso.ts), which the login page reads from the
 * sso-failure cookie. An unknown or missing code gets the general sentence.
 */
export function ssoFailureMessage(reason: string | undefined, name: string): string {
  switch (reason) {
    case "email_unverified":
      return `An account with this email already exists, and ${name} did not confirm that the email is yours. Sign in with your password, then connect ${name} from your dashboard.`;
    case "account_unverified":
      return `Please confirm your email address first: follow the link we sent you (or use “Forgot password?”), then continue with ${name} again.`;
    case "email_missing":
      return `${name} did not share an email address, so no account could be made. Sign in with your password instead.`;
    case "signup_disabled":
      return `No account is connected to this ${name} sign-in, and sign-up is turned off on this server.`;
    case "unavailable":
      return `${name} is not answering right now, so you are not signed in. Please try again in a moment.`;
    default:
      return `Signing in with ${name} did not complete, so you are not signed in. Please try again.`;
  }
}
