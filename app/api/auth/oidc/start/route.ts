import { NextResponse } from "next/server";
import { safeNextPath } from "@/lib/http/next-path";
import { apiRoute, otherMethods } from "@/lib/http/route";
import { beginSso, logSsoFailure, ssoFailureReason, ssoLoginFailure, ssoProvider } from "@/lib/http/sso";

/** Sends the browser to the provider to sign in, with a fresh state, nonce and PKCE challenge bound to it. */
export const GET = apiRoute(async (scope) => {
  const { request, cookies, client } = scope;
  ssoProvider(scope); // 404 before anything else when there is none
  const next = safeNextPath(request.nextUrl.searchParams.get("next")) ?? "/dashboard";
  try {
    const { url, writeCookie } = await beginSso(scope, { next });
    const response = NextResponse.redirect(url, 302);
    response.headers.set("Cache-Control", "no-store");
    writeCookie(response, cookies);
    return response;
  } catch (error) {
    logSsoFailure(error, client);
    return ssoLoginFailure(request, cookies, ssoFailureReason(error));
  }
});

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
