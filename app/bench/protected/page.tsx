// Benchmark: a protected page. The middleware verifies the access token (PROTECTED_PREFIXES) and the page
// checks the session on the server exactly as /dashboard does; only the body is fixed.
import { requireBenchPage } from "@/lib/http/bench";
import { requirePageSession } from "@/lib/http/page-session";
import { BenchBody } from "../bench-body";

export default async function BenchProtectedPage() {
  await requireBenchPage();
  await requirePageSession("/bench/protected");
  return <BenchBody />;
}
