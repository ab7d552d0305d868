// The fast first gate, on the Edge runtime: checks the access-token signature for pages and sends people
// where they belong. It never talks to the database; pages check the session again on the server.
//
//   protected page, valid access token        -> rendered
//   protected page, no valid access token     -> signed in before: hop through GET /api/auth/refresh,
//                                                which rotates and comes back (the person sees nothing)
//                                             -> otherwise: /login?next=<path>
//   /login or /register while signed in       -> /dashboard (or `next`)
import type { NextRequest } from "next/server";
import { NextResponse } from "next/server";
import { verifyAccessToken } from "./lib/auth/access-token";
import { AuthError } from "./lib/auth/errors";
import { loadAuthConfig } from "./lib/auth/config";
import { importKeyRing, type KeyRing } from "./lib/auth/keys";
import { AuthCookies } from "./lib/http/cookies";
import { DEFAULT_LANDING_PATH, loginPath, refreshHopPath, safeNextPath } from "./lib/http/next-path";
import { redirectTo } from "./lib/http/redirect";
import { errorResponse } from "./lib/http/respond";
import { contentSecurityPolicy, newNonce, STRICT_TRANSPORT_SECURITY } from "./lib/http/security-headers";

// Each variable is named in full so Next.js provides its run-time value to the Edge sandbox.
const authConfig = loadAuthConfig({
  NODE_ENV: process.env.NODE_ENV,
  AUTH_ACCESS_TTL: process.env.AUTH_ACCESS_TTL,
  AUTH_COOKIE_SECURE: process.env.AUTH_COOKIE_SECURE,
  AUTH_TRUSTED_PROXIES: process.env.AUTH_TRUSTED_PROXIES,
  AUTH_ISSUER: process.env.AUTH_ISSUER,
  AUTH_AUDIENCE: process.env.AUTH_AUDIENCE,
});
let keyRing: Promise<KeyRing> | undefined;

// /bench/protected is a benchmark page (404 unless BENCH_ROUTES=1), gated here like any protected page.
const PROTECTED_PREFIXES = ["/dashboard", "/bench/protected"];
const GUEST_PAGES = new Set(["/login", "/register"]);

function isProtected(pathname: string): boolean {
  return PROTECTED_PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));
}

async function hasValidAccessToken(request: NextRequest, cookies: AuthCookies): Promise<boolean> {
  const token = cookies.accessToken(request);
  if (!token) return false;
  // Previous secrets too: tokens signed before a rotation stay valid until they expire.
  keyRing ??= importKeyRing(process.env.AUTH_SECRET ?? "", process.env.AUTH_PREVIOUS_SECRETS);
  const verified = await verifyAccessToken(token, (await keyRing).verificationKeys, authConfig, new Date());
  return verified.ok;
}

export async function middleware(request: NextRequest): Promise<NextResponse> {
  if (request.nextUrl.pathname.startsWith("/api/")) return rejectUndecodablePath(request);
  const cookies = AuthCookies.for(request.headers, authConfig);
  const response = (await route(request, cookies)) ?? render(request);
  if (cookies.secure) response.headers.set("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY);
  return response;
}

/**
 * Next.js answers a bare 500 when a dynamic segment (`/api/auth/sessions/{id}`) holds malformed percent
 * encoding; such an id names no session, so it gets the API's 404 in the contract's shape instead.
 */
function rejectUndecodablePath(request: NextRequest): NextResponse {
  try {
    decodeURIComponent(request.nextUrl.pathname);
    return NextResponse.next();
  } catch {
    return errorResponse(new AuthError("not_found"));
  }
}

/** Where this request must go instead of being rendered, if anywhere. */
async function route(request: NextRequest, cookies: AuthCookies): Promise<NextResponse | undefined> {
  const { pathname, search, searchParams } = request.nextUrl;
  const protectedPage = isProtected(pathname);
  if (!protectedPage && !GUEST_PAGES.has(pathname) && pathname !== "/") return undefined;

  const signedIn = await hasValidAccessToken(request, cookies);
  const wasSignedIn = cookies.state(request) === "active";
  const target = protectedPage ? `${pathname}${search}` : (safeNextPath(searchParams.get("next")) ?? DEFAULT_LANDING_PATH);

  // Redirects are answered here as they are: no CSP nonce and no rewritten request headers (see render).
  if (signedIn) return protectedPage ? undefined : redirectTo(request, target);
  if (wasSignedIn) return redirectTo(request, refreshHopPath(target));
  if (protectedPage || pathname === "/") return redirectTo(request, loginPath(protectedPage ? target : null));
  return undefined;
}

/** Renders the page under a Content-Security-Policy whose nonce Next.js puts on its own scripts. */
function render(request: NextRequest): NextResponse {
  const csp = contentSecurityPolicy(newNonce(), process.env.NODE_ENV !== "production");
  const headers = new Headers(request.headers);
  headers.set("Content-Security-Policy", csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("Content-Security-Policy", csp);
  return response;
}

export const config = {
  // Pages, and the one API route with a path parameter (see rejectUndecodablePath). API routes
  // authenticate themselves; static assets need nothing. /bench/bare is the benchmark's page without
  // middleware (404 unless BENCH_ROUTES=1; next.config.js gives it a fixed CSP).
  matcher: ["/((?!api/|_next/static|_next/image|favicon.ico|icon.svg|robots.txt|bench/bare$).*)", "/api/auth/sessions/:id+"],
};
