import { json } from "@/lib/http/respond";
import { apiRoute, otherMethods } from "@/lib/http/route";

/** The caller's live sessions, most recently used first, with the current one marked. */
export const GET = apiRoute(async ({ service, principal }) => {
  const sessions = await service.listSessions(await principal());
  return json({ sessions });
});

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
