// @ts-check

/** Security headers that are the same for every response; per-request ones (CSP, HSTS) are set in code. */
const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "same-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
];

const BARE_CSP = "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // Native modules stay outside the bundle and load from node_modules at run time.
  serverExternalPackages: ["argon2", "better-sqlite3"],
  async headers() {
    return [
      { source: "/:path*", headers: securityHeaders },
      // The benchmark's page outside the middleware gets no nonce, so it gets a policy that runs no script
      // at all (it is a 404 unless BENCH_ROUTES=1, and only load tools fetch it then).
      { source: "/bench/bare", headers: [{ key: "Content-Security-Policy", value: BARE_CSP }] },
      // Pages opened from an email link hold its token in their address: no Referer may carry it away.
      ...["/reset-password", "/verify-email"].map((source) => ({ source, headers: [{ key: "Referrer-Policy", value: "no-referrer" }] })),
    ];
  },
};

module.exports = nextConfig;
