import { json } from "@/lib/http/respond";
import { apiRoute, otherMethods } from "@/lib/http/route";

/** How the caller can sign in: whether the account has a password, and its connected identities. */
export const GET = apiRoute(async ({ service, principal }) => {
  const methods = await service.listSignInMethods(await principal());
  return json(methods);
});

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
