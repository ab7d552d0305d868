// One bounded HTTP load with autocannon, and the per-connection state some loads need.
import autocannon, { type Client } from "autocannon";
import { percentile } from "../tests/support/flood";

export type { Client };

export interface LoadSpec {
  path: string;
  method?: "GET" | "POST";
  connections: number;
  seconds: number;
  headers?: Record<string, string>;
  body?: string;
  /** Requests per second over all connections (autocannon's overallRate); by default as fast as the server answers. */
  rate?: number;
  /** The status every response must have; by default any 2xx. */
  status?: number;
  /** Customises connection `index` (0 … connections-1): its own cookie, its own body. */
  setupConnection?: (client: Client, index: number) => void;
  /**
   * Percentiles from each response's own time, to the microsecond, instead of autocannon's histogram of
   * whole milliseconds: on a 3 ms request one millisecond is a third of any ratio between two loads' p99s.
   */
  exactLatency?: boolean;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  /** Server CPU time per request, ms (filled in by the caller, which knows the server). */
  cpuMs?: number;
  /** The same without the password-hashing workers' share. */
  servingCpuMs?: number;
  /** PostgreSQL's own CPU time per request, ms, when it is measured (bench/database-cpu.mts). */
  dbCpuMs?: number;
}

/**
 * Runs one load for `seconds` (autocannon stops by itself; every request also times out after 10 s).
 * Anything but a 2xx (or the status the load names) is an error of the benchmark, not a figure: a 401,
 * 403 or 429 here would mean we measured something else than we meant to.
 */
export async function runLoad(baseUrl: string, spec: LoadSpec): Promise<LoadResult> {
  let nextIndex = 0;
  const run = autocannon({
    url: `${baseUrl}${spec.path}`,
    method: spec.method ?? "GET",
    connections: spec.connections,
    duration: spec.seconds,
    overallRate: spec.rate,
    timeout: 10,
    headers: spec.headers,
    body: spec.body,
    setupClient: spec.setupConnection ? (client: Client) => spec.setupConnection!(client, nextIndex++) : undefined,
  });
  const milliseconds: number[] = [];
  if (spec.exactLatency) {
    // 2xx only, as autocannon's own histogram.
    run.on("response", (_client, status, _bytes, responseMs) => Math.floor(status / 100) === 2 && milliseconds.push(responseMs));
  }
  const result = await run;
  const ok = spec.status === undefined ? result["2xx"] : (result.statusCodeStats[String(spec.status)]?.count ?? 0);
  const failures = result.requests.total - ok + result.errors + result.timeouts;
  if (failures > 0) {
    const codes = JSON.stringify(result.statusCodeStats);
    throw new Error(`${spec.method ?? "GET"} ${spec.path}: ${failures} failed requests (status codes ${codes}, ${result.errors} errors, ${result.timeouts} timeouts)`);
  }
  const [p50, p99] = spec.exactLatency ? [percentile(milliseconds, 50), percentile(milliseconds, 99)] : [result.latency.p50, result.latency.p99];
  return { rps: ok / result.duration, p50, p99, requests: ok };
}

/**
 * Gives connection i the cookie `name=values[i]` and, whenever a response sets that cookie, puts the new
 * value in the next request's Cookie header (autocannon sends it only after the response is complete),
 * so each connection always presents the newest refresh token it received. `values` is updated in place:
 * the next load continues each chain where this one stopped.
 */
export function rotatingCookie(name: string, values: string[]) {
  return (client: Client, index: number): void => {
    const slot = index % values.length;
    const present = () => client.setHeaders({ cookie: `${name}=${values[slot]}` });
    present();
    client.on("headers", ({ headers }) => {
      for (let i = 0; i < headers.length; i += 2) {
        if (headers[i]!.toLowerCase() !== "set-cookie" || !headers[i + 1]!.startsWith(`${name}=`)) continue;
        const value = headers[i + 1]!.slice(name.length + 1).split(";")[0]!;
        if (value) {
          values[slot] = value;
          present();
        }
      }
    });
  };
}
