// A login flood against a running server while one person uses the app, as tests/api/flood.test.ts checks
// it and `npm run bench` measures it: `count` concurrent logins for random emails (wrong passwords), each
// from the address `addressOf(i)` says (X-Forwarded-For: the server must trust the loopback proxy), while
// the person, from their own address, reads /api/me and refreshes in a loop and signs in once more.
import { randomUUID } from "node:crypto";
import { Client, type SignedIn } from "./accounts";

export interface Timed {
  status: number;
  ms: number;
  retryAfter: string | null;
}

export interface FloodOutcome {
  /** Every flood response, in no particular order. */
  flood: Timed[];
  me: Timed[];
  refresh: Timed[];
  /** The person's own login from another browser, started while the flood was under way. */
  login: Timed;
}

async function timed(request: () => Promise<Response>): Promise<Timed> {
  const started = performance.now();
  const response = await request();
  await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - started, retryAfter: response.headers.get("retry-after") };
}

export async function floodLogins(
  baseUrl: string,
  person: SignedIn & { address: string },
  options: { count: number; addressOf: (i: number) => string },
): Promise<FloodOutcome> {
  const flood = Promise.all(
    Array.from({ length: options.count }, (_, i) =>
      timed(() =>
        fetch(`${baseUrl}/api/auth/login`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-forwarded-for": options.addressOf(i), "user-agent": "flood" },
          body: JSON.stringify({ email: `flood-${randomUUID().slice(0, 12)}@example.test`, password: "not the password at all" }),
        }),
      ),
    ),
  );
  let done = false;
  void flood.finally(() => (done = true));
  const me: Timed[] = [];
  const refresh: Timed[] = [];
  const using = (async () => {
    while (!done) {
      me.push(await timed(() => person.client.get("/api/me")));
      refresh.push(await timed(() => person.client.post("/api/auth/refresh")));
    }
  })();
  // Another browser of the person's, once the flood is well under way.
  await new Promise((resolve) => setTimeout(resolve, 150));
  const browser = new Client(baseUrl, { "user-agent": "flood-test/person", "x-forwarded-for": person.address });
  const login = await timed(() => browser.login(person.email, person.password));
  const [responses] = await Promise.all([flood, using]);
  return { flood: responses, me, refresh, login };
}

/** The `p`-th percentile (0–100) of some durations, ms. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}
