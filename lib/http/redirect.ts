// Redirects to our own paths. Edge-safe: the middleware and route handlers share it.
import { NextResponse, type NextRequest } from "next/server";

/**
 * A redirect whose Location is the path alone: the browser resolves it against the URL it asked for,
 * which is the host its cookies belong to (tests reach the server at 127.0.0.1 while Next.js calls itself
 * localhost), and no request header (Host, X-Forwarded-Host) can point it elsewhere. In the middleware
 * Next.js wants an absolute URL and turns one on the request's own origin back into the path.
 */
export function redirectTo(request: NextRequest, path: string, status: 303 | 307 = 307): NextResponse {
  const location = process.env.NEXT_RUNTIME === "edge" ? new URL(path, request.nextUrl.origin).href : path;
  return new NextResponse(null, { status, headers: { Location: location, "Cache-Control": "no-store" } });
}
