import { signedIn } from "@/lib/http/respond";
import { apiRoute } from "@/lib/http/route";

/** Spends the refresh cookie for a new pair. Failures are 403s that also clear the cookies. */
export const POST = apiRoute(async ({ request, service, cookies }) => {
  const issued = await service.refresh(cookies.refreshToken(request));
  return signedIn(issued, cookies, { withUser: false });
});
