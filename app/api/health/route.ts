import { database } from "@/lib/db/client";
import { databaseIsUp } from "@/lib/db/health";
import { json } from "@/lib/http/respond";
import { apiRoute, otherMethods } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** For load balancers and monitors: 200 when the database answers, 503 when it does not. No sign-in needed. */
export const GET = apiRoute(async () => {
  const up = await databaseIsUp(database().client);
  return json({ status: up ? "ok" : "unavailable", database: up ? "up" : "down" }, up ? 200 : 503);
});

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
