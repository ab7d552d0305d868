// Benchmark: the no-auth twin of POST /api/auth/refresh. Same frame (apiRoute, cross-site check), reads the
// refresh cookie and answers with the same body and Set-Cookie headers (the token pair and the state
// marker), with fixed values of the real lengths: everything refresh does except the rotation itself.
import { requireBenchRoute } from "@/lib/http/bench";
import { signedIn } from "@/lib/http/respond";
import { apiRoute } from "@/lib/http/route";

const ACCESS_TOKEN_LENGTH = 343; // a signed access JWT as this app issues it (header with kid, six claims)
const REFRESH_TOKEN_LENGTH = 43; // 256 bits in base64url

export const POST = apiRoute(async ({ request, cookies }) => {
  requireBenchRoute();
  const presented = cookies.refreshToken(request) ?? "";
  const now = new Date();
  return signedIn(
    {
      user: { id: "", email: "" },
      sessionId: "",
      issuedAt: now,
      accessToken: "a".repeat(ACCESS_TOKEN_LENGTH),
      accessTokenExpiresAt: new Date(now.getTime() + 900_000),
      refreshToken: presented.length === REFRESH_TOKEN_LENGTH ? presented : "r".repeat(REFRESH_TOKEN_LENGTH),
      refreshTokenExpiresAt: new Date(now.getTime() + 2_592_000_000),
    },
    cookies,
    { withUser: false },
  );
});
