import { json } from "@/lib/http/respond";
import { apiRoute, otherMethods } from "@/lib/http/route";
import { beginSso, ssoProvider } from "@/lib/http/sso";

/**
 * Starts connecting the provider to the signed-in account. A POST (so the cross-site check applies)
 * answering with the provider's URL, which the dashboard then opens; the callback links the identity to
 * this session's account if the session is still live by then.
 */
export const POST = apiRoute(async (scope) => {
  ssoProvider(scope); // 404 when there is none
  const caller = await scope.principal();
  const { url, writeCookie } = await beginSso(scope, {
    next: "/dashboard",
    link: { userId: caller.user.id, sessionId: caller.sessionId },
  });
  const response = json({ location: url.href });
  writeCookie(response, scope.cookies);
  return response;
});

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
