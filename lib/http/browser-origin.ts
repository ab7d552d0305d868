// What this request says about where it came from, believing only what it can prove. Edge-safe: the
// middleware and the route handlers ask these same questions.
//
// The TCP peer's address is in a header that scripts/serve.mjs writes for every request under a name
// random per process (KSI_PEER_HEADER), after removing any incoming header of that name, so no client can
// set it. The forwarded headers (X-Forwarded-For, -Proto, -Host) count only when that peer is a trusted
// proxy (AUTH_TRUSTED_PROXIES); otherwise the protocol is the connection's (plain HTTP: our server does not
// terminate TLS) and the host is the Host header, the one a browser cannot be made to change.
import { proxyTrust } from "./proxy-trust.mjs";

export interface BrowserOrigin {
  protocol: "http" | "https";
  /** host[:port], lower case */
  host: string;
  hostname: string;
  origin: string;
}

/** The TCP peer's address as our server recorded it; null when the request did not come through it. */
export function peerAddress(headers: Headers): string | null {
  const name = process.env.KSI_PEER_HEADER; // named in full, so the Edge sandbox is given its value
  return (name && headers.get(name)) || null;
}

/** Whether the TCP peer is a proxy we trust, so that its X-Forwarded-* headers count. */
export function fromTrustedProxy(headers: Headers, trustedProxies: string): boolean {
  const peer = peerAddress(headers);
  return peer !== null && proxyTrust(trustedProxies)(peer, 0);
}

function first(headers: Headers, name: string): string | undefined {
  return headers.get(name)?.split(",")[0]?.trim() || undefined;
}

/** The origin the browser asked for; null when the headers do not make a valid origin. */
export function browserOrigin(headers: Headers, trustedProxies: string): BrowserOrigin | null {
  const forwarded = fromTrustedProxy(headers, trustedProxies);
  const protocol = forwarded && first(headers, "x-forwarded-proto") === "https" ? "https" : "http";
  const host = (forwarded ? first(headers, "x-forwarded-host") : undefined) ?? headers.get("host");
  if (!host) return null;
  try {
    const url = new URL(`${protocol}://${host}`);
    return { protocol, host: url.host, hostname: url.hostname, origin: url.origin };
  } catch {
    return null;
  }
}
