import { after } from "next/server";
import { emailInput } from "@/lib/auth/input";
import { logBackgroundFailure } from "@/lib/ops/log";
import { enforceRateLimit, enforceRecipientLimit } from "@/lib/http/rate-limit";
import { readJson } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { apiRoute, otherMethods } from "@/lib/http/route";

/**
 * Asks for a reset link. The answer comes before the account is even looked up, so it is the same body in
 * the same time whether or not an account has this email; the link (if any) is made and sent afterwards.
 */
export const POST = apiRoute(async ({ request, service, config, client }) => {
  await enforceRateLimit("forgot", client.ip, config);
  const { email } = await readJson(request, emailInput);
  await enforceRecipientLimit("forgot_email", email, config);
  after(() => service.requestPasswordReset(email).catch(logBackgroundFailure("password_reset_request")));
  return json({}, 202);
});

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
