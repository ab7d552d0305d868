// Redirects to our own paths. Edge-safe: the middleware and route handlers share it.
import { NextResponse, type NextRequest } from "next/server";

/**
 * Resolves `path` against the origin the browser used (its Host header). `request.nextUrl` can carry the
 * server's own hostname instead (`localhost` for a request to 127.0.0.1), and a redirect there would lose
 * every cookie, which belong to the host the browser asked for.
 */
export function redirectTo(request: NextRequest, path: string, status: 303 | 307 = 307): NextResponse {
  const response = NextResponse.redirect(new URL(path, browserOrigin(request)), status);
  response.headers.set("Cache-Control", "no-store");
  return response;
}

/** The origin from Host and X-Forwarded-Proto when they make a valid origin, else Next.js's own view. */
function browserOrigin(request: NextRequest): string {
  const forwarded = request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim();
  const protocol = forwarded === "https" || forwarded === "http" ? forwarded : request.nextUrl.protocol.replace(":", "");
  try {
    return new URL(`${protocol}://${request.headers.get("host") ?? request.nextUrl.host}`).origin;
  } catch {
    return request.nextUrl.origin;
  }
}
