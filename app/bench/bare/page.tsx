// Benchmark: the same page outside the middleware (its matcher excludes this path), so public/bare is
// what running the framework's middleware at all costs. next.config.js gives it a fixed CSP instead.
import { requireBenchPage } from "@/lib/http/bench";
import { BenchBody } from "../bench-body";

export default async function BenchBarePage() {
  await requireBenchPage();
  return <BenchBody />;
}
