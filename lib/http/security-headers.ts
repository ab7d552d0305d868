// Per-request security headers. The fixed ones (nosniff, Referrer-Policy, Permissions-Policy, framing)
// are set for every response in next.config.js; these depend on the request. Edge-safe.

/**
 * Scripts run only with this response's nonce ('strict-dynamic' lets them load their own chunks); no inline
 * script, no eval outside development, no framing, no plugins, forms post only to us.
 */
export function contentSecurityPolicy(nonce: string, development: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    `style-src 'self'${development ? " 'unsafe-inline'" : ""}`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Two years, subdomains included: sent only when the cookies are Secure, i.e. the site is on HTTPS. */
export const STRICT_TRANSPORT_SECURITY = "max-age=63072000; includeSubDomains";

export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}
