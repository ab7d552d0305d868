import { registerInput } from "@/lib/auth/input";
import { readJson } from "@/lib/http/request";
import { signedIn } from "@/lib/http/respond";
import { enforceRateLimit } from "@/lib/http/rate-limit";
import { apiRoute, otherMethods } from "@/lib/http/route";

export const POST = apiRoute(async ({ request, service, config, cookies, client }) => {
  service.assertSignupOpen();
  await enforceRateLimit("register", client.ip, config);
  const input = await readJson(request, registerInput);
  const issued = await service.register(input, client);
  return signedIn(issued, cookies, { status: 201 });
});

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
