import { OidcError } from "@/lib/oidc/client";
import { redirectTo } from "@/lib/http/redirect";
import { apiRoute, otherMethods } from "@/lib/http/route";
import { logSsoFailure, ssoFailureReason, ssoLoginFailure, ssoProvider } from "@/lib/http/sso";

/**
 * The provider's redirect back. Spends this browser's flow cookie whatever happens; signs in (or, for a
 * connection started from the dashboard, links the identity) only when every check passed.
 */
export const GET = apiRoute(async (scope) => {
  const { request, service, cookies, client, ssoFlows } = scope;
  const provider = ssoProvider(scope);
  const flow = await ssoFlows.open(cookies.oidcFlow(request), new Date());
  let response;
  try {
    if (!flow) throw new OidcError("rejected", "no single sign-on in progress in this browser (flow cookie missing, altered or expired)");
    const identity = await provider.identityFromCallback(request.nextUrl.search, flow);
    if (flow.link) {
      await service.linkIdentity(flow.link, identity, client);
      response = redirectTo(request, "/dashboard?sso=connected", 303);
    } else {
      const issued = await service.signInWithIdentity(identity, client);
      response = redirectTo(request, flow.next, 303);
      cookies.setSession(response, issued);
    }
  } catch (error) {
    logSsoFailure(error, client);
    const reason = ssoFailureReason(error);
    response = flow?.link
      ? redirectTo(request, `/dashboard?sso=${reason ?? "failed"}`, 303)
      : ssoLoginFailure(request, cookies, reason);
  }
  cookies.clearOidcFlow(response);
  return response;
});

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
