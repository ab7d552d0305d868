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
import { loadAuthConfig } from "./lib/auth/config";
import { importKeyRing, type KeyRing } from "./lib/auth/keys";
import { AuthCookies } from "./lib/http/cookies";
import { loginPath, safeNextPath } from "./lib/http/next-path";
import { redirectTo } from "./lib/http/redirect";

// Each variable is named in full so Next.js provides its run-time value to the Edge sandbox.
const authConfig = loadAuthConfig({
  NODE_ENV: process.env.NODE_ENV,
  AUTH_COOKIE_SECURE: process.env.AUTH_COOKIE_SECURE,
  AUTH_ISSUER: process.env.AUTH_ISSUER,
  AUTH_AUDIENCE: process.env.AUTH_AUDIENCE,
});
let keyRing: Promise<KeyRing> | undefined;

const PROTECTED_PREFIXES = ["/dashboard"];
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
  const { pathname, search, searchParams } = request.nextUrl;
  const cookies = AuthCookies.for(request.headers, authConfig);
  const guestPage = GUEST_PAGES.has(pathname);
  if (!guestPage && pathname !== "/" && !isProtected(pathname)) return NextResponse.next();

  const signedIn = await hasValidAccessToken(request, cookies);
  const wasSignedIn = cookies.state(request) === "active";
  const target = isProtected(pathname) ? `${pathname}${search}` : (safeNextPath(searchParams.get("next")) ?? "/dashboard");

  if (signedIn) return isProtected(pathname) ? NextResponse.next() : redirectTo(request, target);
  if (wasSignedIn) return redirectTo(request, `/api/auth/refresh?next=${encodeURIComponent(target)}`);
  if (isProtected(pathname) || pathname === "/") return redirectTo(request, loginPath(isProtected(pathname) ? target : null));
  return NextResponse.next();
}

export const config = {
  // Pages only: API routes authenticate themselves, static assets need nothing.
  matcher: ["/((?!api/|_next/static|_next/image|favicon.ico|robots.txt).*)"],
};
