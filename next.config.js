// @ts-check

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // Native modules stay outside the bundle and load from node_modules at run time.
  serverExternalPackages: ["argon2", "better-sqlite3"],
};

module.exports = nextConfig;
