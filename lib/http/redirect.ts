// Redirects to our own paths. Edge-safe: the middleware and route handlers share it.
import { NextResponse, type NextRequest } from "next/server";
import { browserOrigin } from "./browser-origin";

/**
 * Resolves `path` against the origin the browser asked for. `request.nextUrl` can carry the server's own
 * hostname instead (`localhost` for a request to 127.0.0.1), and a redirect there would lose every cookie,
 * which belong to the host the browser asked for.
 */
export function redirectTo(request: NextRequest, path: string, status: 303 | 307 = 307): NextResponse {
  const origin = browserOrigin(request.headers)?.origin ?? request.nextUrl.origin;
  const response = NextResponse.redirect(new URL(path, origin), status);
  response.headers.set("Cache-Control", "no-store");
  return response;
}
