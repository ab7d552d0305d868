// Redirects to our own paths. Edge-safe: the middleware and route handlers share it.
import { NextResponse, type NextRequest } from "next/server";

/**
 * Resolves `path` against the origin the browser used (its Host header). `request.nextUrl` can carry the
 * server's own hostname instead (`localhost` for a request to 127.0.0.1), and a redirect there would lose
 * every cookie, which belong to the host the browser asked for.
 */
export function redirectTo(request: NextRequest, path: string, status: 303 | 307 = 307): NextResponse {
  const host = request.headers.get("host") ?? request.nextUrl.host;
  const protocol = request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim() || request.nextUrl.protocol.replace(":", "");
  const response = NextResponse.redirect(new URL(path, `${protocol}://${host}`), status);
  response.headers.set("Cache-Control", "no-store");
  return response;
}
