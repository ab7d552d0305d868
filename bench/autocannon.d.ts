// The part of autocannon's programmatic API the benchmark uses: the package ships no types of its own.
declare module "autocannon" {
  /** One connection (autocannon's README, "Client API"). */
  export interface Client {
    setHeaders(headers: Record<string, string>): void;
    setBody(body: string): void;
    /** Emitted with a response's status line and headers (a flat name, value, name, value… list). */
    on(event: "headers", listener: (response: { headers: string[] }) => void): void;
  }

  export interface Options {
    url: string;
    method?: string;
    connections?: number;
    /** Seconds. */
    duration?: number;
    /** Requests per second over all connections; unset, as fast as the server answers. */
    overallRate?: number;
    /** Seconds before a request counts as timed out. */
    timeout?: number;
    headers?: Record<string, string>;
    body?: string;
    setupClient?: (client: Client) => void;
  }

  export interface Result {
    latency: { p50: number; p99: number };
    /** Seconds the run took. */
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    /** Responses received. */
    requests: { total: number };
    "2xx": number;
    statusCodeStats: Record<string, { count: number }>;
  }

  /** A run in progress: awaited, its result. */
  export interface Instance extends Promise<Result> {
    /** Emitted for every response, with its time from the request's first byte sent, in fractional milliseconds. */
    on(event: "response", listener: (client: Client, statusCode: number, bytes: number, responseMs: number) => void): this;
  }

  export default function autocannon(options: Options): Instance;
}
