// Every failure the API can answer with: its code, HTTP status and a sentence a person can read.
// Route handlers never build error bodies themselves; they throw an AuthError and one responder renders it.

// `endsSession`: the failure ends the session in this browser, so the responder clears the session cookies.
export const ERRORS = {
  invalid_input: { status: 400, message: "The request is not valid." },
  reset_invalid: { status: 400, message: "This reset link is not valid or has expired." },
  verify_invalid: { status: 400, message: "This verification link is not valid or has expired." },
  invalid_credentials: { status: 401, message: "The email or password is incorrect." },
  unauthorized: { status: 401, message: "You need to sign in." },
  token_expired: { status: 401, message: "Your access token has expired." },
  signup_disabled: { status: 403, message: "Sign-up is turned off on this server." },
  email_unverified: { status: 403, message: "Please confirm your email address first: follow the link we sent you, or ask for a password reset link." },
  csrf_rejected: { status: 403, message: "Cross-site requests are not allowed." },
  refresh_missing: { status: 403, message: "No refresh token was sent. Please sign in.", endsSession: true },
  refresh_invalid: { status: 403, message: "This refresh token is not valid. Please sign in.", endsSession: true },
  refresh_expired: { status: 403, message: "Your session has expired. Please sign in again.", endsSession: true },
  refresh_revoked: { status: 403, message: "Your session was ended. Please sign in again.", endsSession: true },
  refresh_reused: { status: 403, message: "This refresh token was already used, so the session was ended for safety. Please sign in again.", endsSession: true },
  not_found: { status: 404, message: "Not found." },
  method_not_allowed: { status: 405, message: "This method is not allowed here." },
  email_taken: { status: 409, message: "An account with this email already exists." },
  account_changed: { status: 409, message: "This browser is now signed in to a different account. Reload the page to see it." },
  sso_failed: { status: 400, message: "Single sign-on did not complete. Please try again." },
  sso_email_unverified: { status: 409, message: "An account with this email already exists. Sign in with your password, then connect single sign-on from your dashboard." },
  sso_email_missing: { status: 400, message: "The provider did not share an email address, so no account can be made." },
  sso_identity_taken: { status: 409, message: "This sign-in is already connected to another account." },
  sso_last_method: { status: 409, message: "This is the only way to sign in to this account. Set a password first, then disconnect it." },
  sso_unavailable: { status: 503, message: "The single sign-on provider is not answering. Please try again in a moment." },
  payload_too_large: { status: 413, message: "The request body is larger than 64 KB." },
  too_many_attempts: { status: 429, message: "Too many attempts. Please wait and try again." },
  internal_error: { status: 500, message: "Something went wrong on our side." },
  service_unavailable: { status: 503, message: "The service is briefly unavailable. Please try again." },
} as const satisfies Record<string, { status: number; message: string; endsSession?: true }>;

export type ErrorCode = keyof typeof ERRORS;

export interface AuthErrorOptions {
  message?: string;
  /** Seconds, sent as Retry-After. */
  retryAfter?: number;
  /** A token was presented and refused: the 401 says `error="invalid_token"` (RFC 6750 §3.1). */
  tokenPresented?: boolean;
  /** Why a 503 happened, for the metrics: `database` (unreachable, locked, out of connections), … */
  unavailableCause?: string;
}

// Next.js bundles each route separately, so one class can exist in several copies in one process; a
// registered symbol recognises an AuthError from any copy where `instanceof` would not.
const AUTH_ERROR = Symbol.for("keep-signed-in.AuthError");

export function isAuthError(value: unknown): value is AuthError {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[AUTH_ERROR] === true;
}

export class AuthError extends Error {
  readonly [AUTH_ERROR] = true;
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryAfter?: number;
  readonly tokenPresented: boolean;
  readonly unavailableCause?: string;

  constructor(code: ErrorCode, options: AuthErrorOptions = {}) {
    super(options.message ?? ERRORS[code].message);
    this.name = "AuthError";
    this.code = code;
    this.status = ERRORS[code].status;
    this.retryAfter = options.retryAfter;
    this.tokenPresented = options.tokenPresented ?? false;
    this.unavailableCause = options.unavailableCause;
  }

  /** Whether this failure ends the session in this browser (the error table's `endsSession` column). */
  get endsSession(): boolean {
    return "endsSession" in ERRORS[this.code];
  }
}
