// Benchmark: the same page without any check. It still passes through the middleware (a CSP nonce, no
// token check), so protected/public isolates the cost of our check.
import { requireBenchPage } from "@/lib/http/bench";
import { BenchBody } from "../bench-body";

export default async function BenchPublicPage() {
  await requireBenchPage();
  return <BenchBody />;
}
