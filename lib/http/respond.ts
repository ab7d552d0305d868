// The one error helper, and JSON responses that are never cached (they carry or depend on tokens).
import { type NextRequest, NextResponse } from "next/server";
import { AuthError, isAuthError } from "../auth/errors";
import type { IssuedTokens } from "../auth/types";
import type { AuthCookies } from "./cookies";

const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

export function json(body: unknown, status = 200): NextResponse {
  return NextResponse.json(body, { status, headers: NO_STORE });
}

export function noContent(): NextResponse {
  return new NextResponse(null, { status: 204, headers: NO_STORE });
}

/** The browser whose session cookies a failure that ends the session clears. */
type SessionOf = { cookies: AuthCookies; request: NextRequest };

/** Renders any thrown value as `{error, message}`; what is not an AuthError is logged and becomes a 500. */
export function errorResponse(error: unknown, session?: SessionOf): NextResponse {
  const authError = toAuthError(error);
  return withErrorHeaders(json({ error: authError.code, message: authError.message }, authError.status), authError, session);
}

// A page of its own, not an app route: it must render where the app cannot (a 503 while the database is
// down). No script and no style, so it needs no CSP nonce; the policy allows nothing else.
const ERROR_PAGE_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The same failure as a small HTML page, for a browser that navigated to an API URL (the refresh hop): the
 * message and a link to try again, with the status and headers `errorResponse` would send. `goOn`: the
 * browser follows the link at once by itself (a meta refresh, so no script), as a navigation our own page
 * starts.
 */
export function errorPage(error: unknown, retryPath: string, { goOn = false } = {}): NextResponse {
  const authError = toAuthError(error);
  const refresh = goOn ? `<meta http-equiv="refresh" content="0;url=${escapeHtml(retryPath)}">` : "";
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${refresh}<title>Please try again</title></head>
<body>
<main>
<h1>Please try again</h1>
<p role="alert">${escapeHtml(authError.message)}</p>
<p><a href="${escapeHtml(retryPath)}">Try again</a></p>
</main>
</body>
</html>
`;
  const response = new NextResponse(html, {
    status: authError.status,
    headers: { ...NO_STORE, "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": ERROR_PAGE_CSP },
  });
  return withErrorHeaders(response, authError);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function withErrorHeaders(response: NextResponse, authError: AuthError, session?: SessionOf): NextResponse {
  if (authError.status === 401) {
    response.headers.set("WWW-Authenticate", authError.tokenPresented ? 'Bearer error="invalid_token"' : "Bearer");
  }
  if (authError.retryAfter !== undefined) response.headers.set("Retry-After", String(authError.retryAfter));
  if (authError.endsSession && session) session.cookies.endSession(response, session.request);
  return response;
}

function toAuthError(error: unknown): AuthError {
  if (isAuthError(error)) return error;
  console.error("Unexpected error while handling a request:", error);
  return new AuthError("internal_error");
}

/** A response that signs the browser in: the token pair goes into cookies, their expiries into the body. */
export function signedIn(
  issued: IssuedTokens,
  cookies: AuthCookies,
  options: { status?: number; withUser?: boolean } = {},
): NextResponse {
  const body = {
    ...(options.withUser === false ? {} : { user: issued.user }),
    accessTokenExpiresAt: issued.accessTokenExpiresAt.toISOString(),
    refreshTokenExpiresAt: issued.refreshTokenExpiresAt.toISOString(),
  };
  const response = json(body, options.status ?? 200);
  cookies.setSession(response, issued);
  return response;
}
