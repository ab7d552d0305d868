import { registerInput } from "@/lib/auth/input";
import { clientInfo, readJson } from "@/lib/http/request";
import { signedIn } from "@/lib/http/respond";
import { apiRoute } from "@/lib/http/route";

export const POST = apiRoute(async ({ request, service, cookies }) => {
  service.assertSignupOpen();
  const input = await readJson(request, registerInput);
  const issued = await service.register(input, clientInfo(request));
  return signedIn(issued, cookies, { status: 201 });
});
