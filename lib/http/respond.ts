// The one error helper, and JSON responses that are never cached (they carry or depend on tokens).
import { NextResponse } from "next/server";
import { AuthError, isAuthError } from "../auth/errors";
import type { IssuedTokens } from "../auth/service";
import { countUnavailable } from "../ops/metrics";
import type { AuthCookies } from "./cookies";

const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

export function json(body: unknown, status = 200): NextResponse {
  return NextResponse.json(body, { status, headers: NO_STORE });
}

export function noContent(): NextResponse {
  return new NextResponse(null, { status: 204, headers: NO_STORE });
}

/** Renders any thrown value as `{error, message}`; what is not an AuthError is logged and becomes a 500. */
export function errorResponse(error: unknown, cookies?: AuthCookies): NextResponse {
  const authError = toAuthError(error);
  const response = json({ error: authError.code, message: authError.message }, authError.status);
  if (authError.status === 401) {
    response.headers.set("WWW-Authenticate", authError.tokenPresented ? 'Bearer error="invalid_token"' : "Bearer");
  }
  if (authError.status === 503) countUnavailable(authError.unavailableCause ?? "other");
  if (authError.retryAfter !== undefined) response.headers.set("Retry-After", String(authError.retryAfter));
  if (authError.endsSession && cookies) cookies.clearSession(response, "ended");
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
