import { linkTokenInput } from "@/lib/auth/input";
import { readJson } from "@/lib/http/request";
import { noContent } from "@/lib/http/respond";
import { apiRoute, otherMethods } from "@/lib/http/route";

/** Proves the address with the link's token; needs no session (the link may be opened anywhere). */
export const POST = apiRoute(async ({ request, service }) => {
  const { token } = await readJson(request, linkTokenInput);
  await service.verifyEmail(token);
  return noContent();
});

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
