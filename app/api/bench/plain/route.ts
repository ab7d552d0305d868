// Benchmark: the no-auth twin of GET /api/me. Same frame (apiRoute), same body shape and size for the
// benchmark's accounts (bench-NNNN@example.test), no token check.
import { requireBenchRoute } from "@/lib/http/bench";
import { json } from "@/lib/http/respond";
import { apiRoute } from "@/lib/http/route";

const ZERO_ID = "00000000-0000-4000-8000-000000000000";
const BODY = { user: { id: ZERO_ID, email: "bench-0000@example.test" }, session: { id: ZERO_ID } };

export const GET = apiRoute(async () => {
  requireBenchRoute();
  return json(BODY);
});
