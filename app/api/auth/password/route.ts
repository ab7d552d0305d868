import { passwordChangeInput } from "@/lib/auth/input";
import { noContent } from "@/lib/http/respond";
import { readJson } from "@/lib/http/request";
import { apiRoute, otherMethods } from "@/lib/http/route";

/** Changes the password; every other session ends, this one stays signed in. */
export const POST = apiRoute(async ({ request, service, client, principal }) => {
  const caller = await principal();
  const input = await readJson(request, passwordChangeInput);
  await service.changePassword(caller, input, client);
  return noContent();
});

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
