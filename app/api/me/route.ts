import { json } from "@/lib/http/respond";
import { apiRoute, otherMethods } from "@/lib/http/route";

export const GET = apiRoute(async ({ principal }) => {
  const { user, sessionId } = await principal();
  return json({ user, session: { id: sessionId } });
});

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
