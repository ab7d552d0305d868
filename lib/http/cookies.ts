// The one place that names, sets, reads and clears the auth cookies. Edge-safe: the middleware uses it too.
//
// access token  HttpOnly, SameSite=Lax, Path=/           lives as long as the access token
// refresh token HttpOnly, SameSite=Lax, Path=/api/auth   sent only to the auth endpoints, never to pages
// auth state    HttpOnly, SameSite=Lax, Path=/           "active" while signed in, "ended" once a session
//                                                        ended without the person's own logout; it outlives
//                                                        the refresh cookie so the login page can say why
// oidc flow     HttpOnly, SameSite=Lax, Path=/api/auth/oidc   the sealed single sign-on in progress (10 min);
//                                                        Lax so it comes back on the provider's redirect
// device        HttpOnly, SameSite=Lax, Path=/           a random token naming this browser, so a sign-in
//                                                        from a browser the account never used is told to
//                                                        its owner (stored hashed; no fingerprinting). Kept
//                                                        across logouts: it names the browser, not a person
// sso failure   HttpOnly, SameSite=Lax, Path=/           why single sign-on just failed, as a short code
//                                                        (1 min), so /login?error=oidc can say more than
//                                                        "it failed" while the URL stays the contract's
// SameSite=Lax (not Strict) on the refresh cookie lets a person who follows a link from another site to a
// protected page be refreshed transparently; the refresh endpoint only ever redirects to our own paths.
//
// Cookie tossing: the refresh cookie's Path=/api/auth rules out `__Host-`, so a sibling subdomain can set
// a `__Secure-refresh_token` with `Domain=` that the browser sends beside ours (the Cookie header carries
// no domain to tell them apart). A request with two refresh cookies of our name uses neither.
import type { NextResponse } from "next/server";
import { DEVICE_MEMORY_DAYS } from "../auth/devices";
import { AuthError } from "../auth/errors";
import { browserOrigin } from "./browser-origin";

export const REFRESH_COOKIE_PATH = "/api/auth";
const AUTH_STATE_MAX_AGE = 400 * 24 * 60 * 60; // the longest lifetime browsers allow
const DEVICE_MAX_AGE = DEVICE_MEMORY_DAYS * 24 * 60 * 60;
const SSO_FAILURE_MAX_AGE = 60;
/** What the sso-failure cookie may hold: a short code (lib/http/sso.ts), never free text. */
const SSO_FAILURE_CODE = /^[a-z_]{1,32}$/;

export type AuthState = "active" | "ended";

export const OIDC_FLOW_COOKIE_PATH = "/api/auth/oidc";

interface CookieNames {
  access: string;
  refresh: string;
  state: string;
  oidcFlow: string;
  device: string;
  ssoFailure: string;
}

const SECURE_NAMES: CookieNames = {
  access: "__Host-access_token",
  refresh: "__Secure-refresh_token",
  state: "__Host-auth_state",
  oidcFlow: "__Secure-oidc_flow",
  device: "__Host-device",
  ssoFailure: "__Host-sso_failure",
};
const PLAIN_NAMES: CookieNames = {
  access: "access_token",
  refresh: "refresh_token",
  state: "auth_state",
  oidcFlow: "oidc_flow",
  device: "device",
  ssoFailure: "sso_failure",
};

type CookieStore = { get(name: string): { value: string } | undefined };
/** A request (route handler, middleware) or the cookie store of `next/headers` (pages). */
type CookieReader = { cookies: CookieStore } | CookieStore;

function read(source: CookieReader, name: string): string | undefined {
  const store = "cookies" in source ? source.cookies : source;
  return store.get(name)?.value || undefined;
}

export interface CookiePolicy {
  cookieSecure: boolean | undefined;
  production: boolean;
  /** AUTH_TRUSTED_PROXIES: only their X-Forwarded-Proto and X-Forwarded-Host count. */
  trustedProxies: string;
}

/**
 * Secure unless AUTH_COOKIE_SECURE says otherwise or, in production, the request is plain HTTP to
 * localhost or 127.0.0.1 (the Host header, or a trusted proxy's forwarded host and protocol). Outside
 * production (`next dev`) cookies are not Secure.
 */
export function cookiesAreSecure(headers: Headers, policy: CookiePolicy): boolean {
  if (policy.cookieSecure !== undefined) return policy.cookieSecure;
  if (!policy.production) return false;
  const asked = browserOrigin(headers, policy.trustedProxies);
  if (!asked) return true;
  return !(asked.protocol === "http" && (asked.hostname === "localhost" || asked.hostname === "127.0.0.1"));
}

export class AuthCookies {
  private readonly names: CookieNames;

  constructor(readonly secure: boolean) {
    this.names = secure ? SECURE_NAMES : PLAIN_NAMES;
  }

  static for(headers: Headers, policy: CookiePolicy): AuthCookies {
    return new AuthCookies(cookiesAreSecure(headers, policy));
  }

  accessToken(request: CookieReader): string | undefined {
    return read(request, this.names.access);
  }

  /**
   * The refresh cookie, read from the raw Cookie header: the parsed cookie maps keep one value per name,
   * which would hide a second one. Two or more of our name are refused as `refresh_invalid` (neither is
   * used, and the responder clears ours).
   */
  refreshToken(request: { headers: Headers }): string | undefined {
    const values = cookieValues(request.headers.get("cookie") ?? "", this.names.refresh).filter(Boolean);
    if (values.length > 1) {
      throw new AuthError("refresh_invalid", { message: "Two refresh cookies were sent, so neither is used. Please sign in again." });
    }
    return values[0];
  }

  deviceToken(request: CookieReader): string | undefined {
    return read(request, this.names.device);
  }

  /** Names this browser for a long time (refreshed at every sign-in). */
  private setDevice(response: NextResponse, deviceToken: string): void {
    response.cookies.set(this.names.device, deviceToken, {
      httpOnly: true,
      secure: this.secure,
      sameSite: "lax",
      path: "/",
      maxAge: DEVICE_MAX_AGE,
    });
  }

  state(request: CookieReader): AuthState | undefined {
    const value = read(request, this.names.state);
    return value === "active" || value === "ended" ? value : undefined;
  }

  /**
   * Writes a freshly issued pair and marks the browser as signed in; a sign-in (by password or single
   * sign-on) also names the browser with its device token, so its next sign-in is not a "new browser".
   */
  setSession(
    response: NextResponse,
    tokens: {
      issuedAt: Date;
      accessToken: string;
      accessTokenExpiresAt: Date;
      refreshToken: string;
      refreshTokenExpiresAt: Date;
      deviceToken?: string;
    },
  ): void {
    const now = tokens.issuedAt;
    const base = { httpOnly: true, secure: this.secure, sameSite: "lax" as const };
    response.cookies.set(this.names.access, tokens.accessToken, {
      ...base,
      path: "/",
      maxAge: secondsUntil(tokens.accessTokenExpiresAt, now),
    });
    response.cookies.set(this.names.refresh, tokens.refreshToken, {
      ...base,
      path: REFRESH_COOKIE_PATH,
      maxAge: secondsUntil(tokens.refreshTokenExpiresAt, now),
    });
    this.setState(response, "active");
    if (tokens.deviceToken) this.setDevice(response, tokens.deviceToken);
  }

  /** After the person's own logout: both tokens and the state cookie go, so the login page says nothing. */
  clearSession(response: NextResponse): void {
    this.clearTokens(response);
    response.cookies.set(this.names.state, "", { httpOnly: true, secure: this.secure, sameSite: "lax", path: "/", maxAge: 0 });
  }

  /**
   * The session ended without the person's own logout (expiry, revocation elsewhere, reuse): both tokens go,
   * and a browser that was signed in is marked so its login page says the session expired. One that never
   * signed in, or logged out, is left unmarked: a stray refresh from it must not make it say so.
   */
  endSession(response: NextResponse, request: CookieReader): void {
    this.clearTokens(response);
    if (this.state(request) === "active") this.setState(response, "ended");
  }

  private clearTokens(response: NextResponse): void {
    const base = { httpOnly: true, secure: this.secure, sameSite: "lax" as const, maxAge: 0 };
    response.cookies.set(this.names.access, "", { ...base, path: "/" });
    response.cookies.set(this.names.refresh, "", { ...base, path: REFRESH_COOKIE_PATH });
  }

  /** The sealed single sign-on in progress (lib/http/oidc-flow.ts). */
  oidcFlow(request: CookieReader): string | undefined {
    return read(request, this.names.oidcFlow);
  }

  setOidcFlow(response: NextResponse, sealed: string, maxAge: number): void {
    response.cookies.set(this.names.oidcFlow, sealed, {
      httpOnly: true,
      secure: this.secure,
      sameSite: "lax",
      path: OIDC_FLOW_COOKIE_PATH,
      maxAge,
    });
  }

  /** The callback spends the flow whatever its outcome. */
  clearOidcFlow(response: NextResponse): void {
    response.cookies.set(this.names.oidcFlow, "", {
      httpOnly: true,
      secure: this.secure,
      sameSite: "lax",
      path: OIDC_FLOW_COOKIE_PATH,
      maxAge: 0,
    });
  }

  /** Why the last single sign-on of this browser failed, when it said (see SSO_FAILURE_MAX_AGE). */
  ssoFailure(request: CookieReader): string | undefined {
    const value = read(request, this.names.ssoFailure);
    return value && SSO_FAILURE_CODE.test(value) ? value : undefined;
  }

  /** Records why single sign-on failed; a failure without a reason clears an earlier one. */
  setSsoFailure(response: NextResponse, reason: string | undefined): void {
    response.cookies.set(this.names.ssoFailure, reason ?? "", {
      httpOnly: true,
      secure: this.secure,
      sameSite: "lax",
      path: "/",
      maxAge: reason ? SSO_FAILURE_MAX_AGE : 0,
    });
  }

  private setState(response: NextResponse, state: AuthState): void {
    response.cookies.set(this.names.state, state, {
      httpOnly: true,
      secure: this.secure,
      sameSite: "lax",
      path: "/",
      maxAge: AUTH_STATE_MAX_AGE,
    });
  }
}

/**
 * Every value of cookie `name` in a Cookie header. Node.js joins repeated Cookie headers with `; ` and
 * Fetch with `, `; a cookie value never holds either separator (RFC 6265), so both split pairs.
 */
function cookieValues(header: string, name: string): string[] {
  const values: string[] = [];
  for (const pair of header.split(/[;,]/)) {
    const eq = pair.indexOf("=");
    if (eq >= 0 && pair.slice(0, eq).trim() === name) values.push(pair.slice(eq + 1).trim());
  }
  return values;
}

/** Rounded up: a token with half a second left must not get Max-Age=0, which deletes the cookie at once. */
function secondsUntil(instant: Date, now: Date): number {
  return Math.max(0, Math.ceil((instant.getTime() - now.getTime()) / 1000));
}
