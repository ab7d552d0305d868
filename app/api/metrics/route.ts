import { NextResponse } from "next/server";
import { AuthError } from "@/lib/auth/errors";
import { isMetricsToken, renderMetrics } from "@/lib/ops/metrics";
import { bearerToken } from "@/lib/http/request";
import { apiRoute, otherMethods } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** Prometheus's scrape: only with `Authorization: Bearer $METRICS_TOKEN`; without the setting, not there. */
export const GET = apiRoute(async ({ request, config }) => {
  if (!config.metricsToken) throw new AuthError("not_found");
  const presented = bearerToken(request);
  if (!presented || !isMetricsToken(presented, config.metricsToken)) {
    throw new AuthError("unauthorized", { tokenPresented: presented !== undefined, message: "This endpoint needs the metrics token." });
  }
  const { body, contentType } = await renderMetrics();
  return new NextResponse(body, { headers: { "Content-Type": contentType, "Cache-Control": "no-store" } });
});

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
