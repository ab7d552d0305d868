// Benchmark-only routes (app/bench/*, app/api/bench/*, driven by bench/run.mts). They are in every build
// but answer 404 unless the server was started with BENCH_ROUTES=1, which only the benchmark sets.
import { notFound } from "next/navigation";
import { connection } from "next/server";
import { AuthError } from "../auth/errors";

function benchRoutesEnabled(): boolean {
  return process.env.BENCH_ROUTES === "1";
}

/**
 * For pages. `connection()` defers the check to request time: without it a page that reads only the
 * environment would be prerendered at build time, with whatever BENCH_ROUTES the build saw.
 */
export async function requireBenchPage(): Promise<void> {
  await connection();
  if (!benchRoutesEnabled()) notFound();
}

/** For route handlers (inside apiRoute): the API's own 404 in the contract's shape. */
export function requireBenchRoute(): void {
  if (!benchRoutesEnabled()) throw new AuthError("not_found");
}
