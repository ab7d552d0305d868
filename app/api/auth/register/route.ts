import { registerInput } from "@/lib/auth/input";
import { readJson } from "@/lib/http/request";
import { json, signedIn } from "@/lib/http/respond";
import { enforceRateLimit } from "@/lib/http/rate-limit";
import { apiRoute, otherMethods } from "@/lib/http/route";

export const POST = apiRoute(async ({ request, service, config, cookies, client }) => {
  service.assertSignupOpen();
  await enforceRateLimit("register", client.ip, config);
  const input = await readJson(request, registerInput);
  const { user, tokens } = await service.signUp(input, client);
  // With required verification nobody is signed in: no cookie at all until the address is proven.
  return tokens ? signedIn(tokens, cookies, { status: 201 }) : json({ user }, 201);
});

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
