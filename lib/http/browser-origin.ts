// The origin the browser asked for, from X-Forwarded-Proto and X-Forwarded-Host (a proxy's, or the ones
// Next.js fills from the connection when no proxy did), else Host. Edge-safe. The cookie policy, the
// cross-site check and redirects all ask this one question.

export interface BrowserOrigin {
  protocol: "http" | "https";
  /** host[:port], lower case */
  host: string;
  hostname: string;
  origin: string;
}

function first(headers: Headers, name: string): string | undefined {
  return headers.get(name)?.split(",")[0]?.trim() || undefined;
}

/** Null when the headers do not make a valid origin. */
export function browserOrigin(headers: Headers): BrowserOrigin | null {
  const protocol = first(headers, "x-forwarded-proto") === "https" ? "https" : "http";
  const host = first(headers, "x-forwarded-host") ?? headers.get("host");
  if (!host) return null;
  try {
    const url = new URL(`${protocol}://${host}`);
    return { protocol, host: url.host, hostname: url.hostname, origin: url.origin };
  } catch {
    return null;
  }
}
