// The frame every API route handler runs in: cross-site check for state changes, the app (lib/app),
// the session's cookies, and one error path. A handler reads the request, calls the core, and responds.
import type { NextRequest, NextResponse } from "next/server";
import { AuthError, isAuthError } from "../auth/errors";
import type { ClientInfo, Principal } from "../auth/types";
import { AuthCookies } from "./cookies";
import { authApp, type AuthApp } from "../app/service";
import { EXPECTED_ACCOUNT_HEADER } from "./expected-account";
import { countUnavailable } from "../ops/metrics";
import { errorResponse } from "./respond";
import { assertSameOrigin, bearerToken, clientInfo } from "./request";
import { STRICT_TRANSPORT_SECURITY } from "./security-headers";

export interface RouteScope extends AuthApp {
  request: NextRequest;
  cookies: AuthCookies;
  /** The caller's address and user agent, for the security activity and the logs. */
  client: ClientInfo;
  /**
   * The caller's live session from the access cookie or a Bearer header; throws a 401 otherwise, and a 409
   * `account_changed` when the request names another account in `X-Account` (see EXPECTED_ACCOUNT_HEADER).
   */
  principal(): Promise<Principal>;
  /** For a route that needs no principal (logout): the same `X-Account` check, when the header is sent. */
  assertExpectedAccount(): Promise<void>;
}

type Handler<Params> = (scope: RouteScope, params: Params) => Promise<NextResponse>;
type RouteContext<Params> = { params: Promise<Params> };

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function apiRoute<Params = Record<string, never>>(handler: Handler<Params>) {
  return async (request: NextRequest, context: RouteContext<Params>): Promise<NextResponse> => {
    let cookies: AuthCookies | undefined;
    let response: NextResponse;
    try {
      const auth = await authApp();
      cookies = AuthCookies.for(request.headers, auth.config);
      if (!SAFE_METHODS.has(request.method)) assertSameOrigin(request, auth.config);
      const accessToken = bearerToken(request) ?? cookies.accessToken(request);
      const expectedAccount = request.headers.get(EXPECTED_ACCOUNT_HEADER);
      const principal = async () => {
        const caller = await auth.service.authenticate(accessToken);
        if (expectedAccount !== null && expectedAccount !== caller.user.id) throw new AuthError("account_changed");
        return caller;
      };
      const scope: RouteScope = {
        ...auth,
        request,
        cookies,
        client: { ...clientInfo(request, auth.config), deviceToken: cookies.deviceToken(request) },
        principal,
        assertExpectedAccount: async () => {
          if (expectedAccount !== null) await principal();
        },
      };
      response = await handler(scope, await context.params);
    } catch (error) {
      // Counted here, not in errorResponse: the Edge middleware renders errors too and must not load metrics.
      if (isAuthError(error) && error.status === 503) countUnavailable(error.unavailableCause ?? "other");
      response = errorResponse(error, cookies && { cookies, request });
    }
    if (cookies?.secure) response.headers.set("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY);
    return response;
  };
}

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/**
 * 405 handlers, in the API's error shape with an `Allow` header, for the methods a route does not
 * implement (Next.js alone would answer them with an empty body). A route exports the ones it lacks:
 * `export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");`
 */
export function otherMethods(...allowed: (typeof METHODS)[number][]): Record<(typeof METHODS)[number], () => Promise<NextResponse>> {
  const refuse = async () => {
    const response = errorResponse(new AuthError("method_not_allowed"));
    response.headers.set("Allow", allowed.join(", "));
    return response;
  };
  return Object.fromEntries(METHODS.map((method) => [method, refuse])) as Record<(typeof METHODS)[number], () => Promise<NextResponse>>;
}
