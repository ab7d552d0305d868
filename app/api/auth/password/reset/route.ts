import { passwordResetInput } from "@/lib/auth/input";
import { readJson } from "@/lib/http/request";
import { noContent } from "@/lib/http/respond";
import { apiRoute, otherMethods } from "@/lib/http/route";

/** Sets a new password with a reset link; every session of the account ends, this browser's too. */
export const POST = apiRoute(async ({ request, service, cookies, client }) => {
  const input = await readJson(request, passwordResetInput);
  await service.resetPassword(input, client);
  const response = noContent();
  cookies.clearSession(response);
  return response;
});

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
