// The HTTP side of single sign-on, shared by its route handlers: which provider (404 without one), the
// sealed flow cookie on the way out, and where a failure sends the browser. The decisions about accounts
// are the core's (AuthService.signInWithIdentity, linkIdentity); the protocol is lib/oidc's.
import type { NextRequest, NextResponse } from "next/server";
import type { AuthApp } from "../app/service";
import { levelOf } from "../auth/activity";
import { AuthError, isAuthError } from "../auth/errors";
import type { ClientInfo } from "../auth/types";
import { isOidcError, type OpenIdClient } from "../oidc/client";
import { logJson } from "../ops/log";
import type { AuthCookies } from "./cookies";
import { OIDC_FLOW_TTL_SECONDS, type OidcFlow } from "./oidc-flow";
import { redirectTo } from "./redirect";

/** The configured provider; without one, single sign-on does not exist here (404). */
export function ssoProvider(app: Pick<AuthApp, "sso">): OpenIdClient {
  if (!app.sso) throw new AuthError("not_found");
  return app.sso;
}

/** Builds the provider's authorization URL and seals what the callback must check into the flow cookie. */
export async function beginSso(
  app: Pick<AuthApp, "sso" | "ssoFlows">,
  options: Pick<OidcFlow, "next" | "link">,
): Promise<{ url: URL; writeCookie: (response: NextResponse, cookies: AuthCookies) => void }> {
  const { url, request } = await ssoProvider(app).authorizationRequest();
  const sealed = await app.ssoFlows.seal({ ...request, ...options }, new Date());
  return { url, writeCookie: (response, cookies) => cookies.setOidcFlow(response, sealed, OIDC_FLOW_TTL_SECONDS) };
}

/**
 * Why single sign-on failed, as a short code (never free text): the login page (through the sso-failure
 * cookie) and the dashboard (through its query string) turn it into a sentence. Most failures say only "oidc": telling an attacker which
 * check stopped a forged callback helps nobody else.
 */
export function ssoFailureReason(error: unknown): string | undefined {
  if (isOidcError(error)) return error.kind === "unavailable" ? "unavailable" : undefined;
  if (!isAuthError(error)) return undefined;
  switch (error.code) {
    case "sso_email_unverified":
      return "email_unverified";
    case "email_unverified":
      return "account_unverified";
    case "sso_email_missing":
      return "email_missing";
    case "sso_identity_taken":
      return "identity_taken";
    case "sso_last_method":
      return "last_method";
    case "signup_disabled":
      return "signup_disabled";
    case "unauthorized":
      return "session_ended";
    case "service_unavailable":
    case "sso_unavailable":
      return "unavailable";
    default:
      return undefined;
  }
}

/** `/login?error=oidc`, with the reason when there is one to tell. */
/**
 * Where a failed sign-in sends the browser: the contract's `/login?error=oidc`, with the reason (when there
 * is one worth telling) in a short-lived cookie the login page reads.
 */
export function ssoLoginFailure(request: NextRequest, cookies: AuthCookies, reason: string | undefined): NextResponse {
  const response = redirectTo(request, "/login?error=oidc", 303);
  cookies.setSsoFailure(response, reason);
  return response;
}

/** Logs a failed single sign-on with its kind and the library's error code, never a token or a request's text. */
export function logSsoFailure(error: unknown, client: ClientInfo): void {
  const cause = isOidcError(error) ? (error.cause as { code?: unknown; name?: unknown } | undefined) : undefined;
  const detail = typeof cause?.code === "string" ? cause.code : typeof cause?.name === "string" ? cause.name : undefined;
  const reason = isOidcError(error)
    ? [error.kind, detail].filter(Boolean).join(":")
    : isAuthError(error)
      ? error.code
      : "internal_error";
  if (!isOidcError(error) && !isAuthError(error)) console.error("Unexpected error during single sign-on:", error);
  logJson({ event: "sso_failed", level: levelOf("sso_failed"), at: new Date(), ip: client.ip, userAgent: client.userAgent, reason });
}
