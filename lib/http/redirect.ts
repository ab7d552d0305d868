// Redirects to our own paths. Edge-safe: the middleware and route handlers share it.
import { NextResponse, type NextRequest } from "next/server";

/** Resolves `path` against the request's own origin (as Next.js sees it from the Host header). */
export function redirectTo(request: NextRequest, path: string, status: 303 | 307 = 307): NextResponse {
  const response = NextResponse.redirect(new URL(path, request.nextUrl), status);
  response.headers.set("Cache-Control", "no-store");
  return response;
}
