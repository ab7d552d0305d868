// Which hops of a request's path are reverse proxies we believe (AUTH_TRUSTED_PROXIES), decided by
// proxy-addr. Plain JavaScript with no Node.js API, so the start script (which refuses a bad setting
// before serving), the route handlers and the Edge middleware all use this one rule.
import proxyaddr from "proxy-addr";

const compiled = new Map();

/**
 * The trust function for an AUTH_TRUSTED_PROXIES value: empty trusts nothing; a whole number N trusts the
 * N hops nearest to us (the TCP peer is hop 0); otherwise a comma list of addresses, CIDRs, or
 * proxy-addr's names `loopback`, `linklocal`, `uniquelocal`. Throws a readable error for anything else.
 */
export function proxyTrust(setting) {
  const value = (setting ?? "").trim();
  let trust = compiled.get(value);
  if (trust) return trust;
  if (value === "") {
    trust = () => false;
  } else if (/^\d+$/.test(value)) {
    const hops = Number(value);
    trust = (_address, hop) => hop < hops;
  } else {
    try {
      trust = proxyaddr.compile(value.split(",").map((entry) => entry.trim()).filter(Boolean));
    } catch (error) {
      throw new Error(
        `AUTH_TRUSTED_PROXIES must be a hop count or a comma-separated list of addresses or CIDRs, got "${value}" (${error.message})`,
      );
    }
  }
  compiled.set(value, trust);
  return trust;
}

/**
 * The client's address: walking X-Forwarded-For from the right, the first hop that is not a trusted proxy
 * (proxy-addr's rule). `peer` is the TCP peer's address; X-Forwarded-For counts only through trusted hops.
 */
export function clientAddress(peer, forwardedFor, setting) {
  return proxyaddr({ headers: { "x-forwarded-for": forwardedFor ?? "" }, socket: { remoteAddress: peer } }, proxyTrust(setting));
}
