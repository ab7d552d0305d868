import { json } from "@/lib/http/respond";
import { apiRoute } from "@/lib/http/route";

export const GET = apiRoute(async ({ principal }) => {
  const { user, sessionId } = await principal();
  return json({ user, session: { id: sessionId } });
});
