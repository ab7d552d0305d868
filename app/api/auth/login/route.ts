import { loginInput } from "@/lib/auth/input";
import { readJson } from "@/lib/http/request";
import { signedIn } from "@/lib/http/respond";
import { apiRoute, otherMethods } from "@/lib/http/route";

export const POST = apiRoute(async ({ request, service, cookies, client }) => {
  const input = await readJson(request, loginInput);
  const issued = await service.login(input, client);
  return signedIn(issued, cookies);
});

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
