import { enforceRateLimit, enforceRecipientLimit } from "@/lib/http/rate-limit";
import { json } from "@/lib/http/respond";
import { apiRoute, otherMethods } from "@/lib/http/route";

/** Sends the signed-in person a new verification link. */
export const POST = apiRoute(async ({ service, config, client, principal }) => {
  const caller = await principal();
  await enforceRateLimit("forgot", client.ip, config);
  await enforceRecipientLimit("verify_resend", caller.user.id, config);
  await service.resendVerification(caller);
  return json({}, 202);
});

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
