import { json } from "@/lib/http/respond";
import { apiRoute, otherMethods } from "@/lib/http/route";

/** The caller's recent security activity, newest first: what happened, when, from which address and browser. */
export const GET = apiRoute(async ({ service, principal }) => {
  const events = await service.listActivity(await principal());
  return json({ events });
});

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
