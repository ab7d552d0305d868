// Settings of the contract, read from an environment record. Pure: the caller passes the environment,
// so tests and the Edge middleware can build a config without touching process state.

export interface AuthConfig {
  /** Access-token lifetime, seconds. */
  accessTtl: number;
  /** Absolute lifetime of a login session, seconds. */
  refreshTtl: number;
  /** A refresh token unused for this long expires, seconds. */
  refreshIdleTtl: number;
  /** How long a just-rotated refresh token may be presented again without counting as theft, seconds. */
  refreshReuseGrace: number;
  loginMaxFailures: number;
  loginWindow: number;
  /** Looser bound on failed logins from one address, so one client cannot spray many emails. */
  ipMaxFailures: number;
  ipWindow: number;
  /**
   * The hashing queue's bound, seconds: a password check that would wait longer for a worker is refused at
   * once with 503 and Retry-After (lib/auth/password.ts).
   */
  hashMaxWait: number;
  /** Requests a minute from one address to the refresh and register endpoints; 0 turns a bound off. */
  refreshRatePerMinute: number;
  registerRatePerMinute: number;
  /** Requests a minute from one address to the forgot-password endpoint; 0 turns the bound off. */
  forgotRatePerMinute: number;
  /**
   * Redis for the per-address bounds shared by every instance; undefined: PostgreSQL when the app runs on
   * it, memory on SQLite.
   */
  redisUrl: string | undefined;
  /** Prefix of every Redis key this app writes, so several apps (or tests) can share one Redis. */
  redisKeyPrefix: string;
  /**
   * On PostgreSQL, revocations are pushed to every instance with LISTEN/NOTIFY, so a liveness answer is
   * kept until its access token expires; false keeps to re-reading every LIVENESS_CACHE_MS (for a pooler
   * in transaction mode, where LISTEN does not work).
   */
  revocationPush: boolean;
  /** The Bearer token `GET /api/metrics` asks for; undefined: the endpoint answers 404. */
  metricsToken: string | undefined;
  allowSignup: boolean;
  /** `undefined`: decided per request (Secure unless plain HTTP to localhost). */
  cookieSecure: boolean | undefined;
  production: boolean;
  issuer: string;
  audience: string;
  /** Ended sessions (and their refresh tokens) are deleted this long after they ended, seconds. */
  retention: number;
  /** Security activity is kept this long, seconds. */
  activityRetention: number;
  /** Seconds between two scheduled cleanups in the server; 0 turns the schedule off. */
  cleanupInterval: number;
  /** Most rows of one kind a cleanup pass deletes, so a pass stays short. */
  cleanupBatch: number;
  /**
   * The public origin (scheme, host, port; no path) for links in email and the OpenID Connect redirect_uri.
   * Never taken from a request's Host: a link built from Host is how reset poisoning works.
   */
  appUrl: string;
  /** `AUTH_TRUSTED_PROXIES` as written: a hop count, or addresses/CIDRs; empty: trust no proxy. */
  trustedProxies: string;
  /** Outgoing mail server (`smtp://` or `smtps://`); undefined: every message goes to the outbox folder. */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Bound on connecting to the SMTP server, its greeting and each silence afterwards, seconds. */
  mailTimeout: number;
  /** Lifetime of a password-reset link, seconds. */
  resetTtl: number;
  /** Lifetime of an email-verification link, seconds. */
  verifyTtl: number;
  /** Sign-up signs nobody in and an unverified account cannot sign in. */
  requireEmailVerification: boolean;
  /** One OpenID Connect provider, or undefined when single sign-on is off. */
  oidc: OidcSettings | undefined;
}

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The provider's name on the login page's button. */
  name: string;
  /** Bound on each request to the provider (discovery, token, JWKS, UserInfo), in seconds. */
  timeoutSeconds: number;
}

export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {}

function seconds(env: Env, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError(`${name} must be a whole number of at least ${min}, got "${raw}"`);
  }
  return value;
}

function days(env: Env, name: string, fallback: number): number {
  return seconds(env, name, fallback) * 86_400;
}

function flag(env: Env, name: string, fallback: boolean | undefined): boolean | undefined {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === "") return fallback;
  if (["true", "1", "yes", "on"].includes(raw)) return true;
  if (["false", "0", "no", "off"].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`);
}

/** `APP_URL` as an origin; defaults to http://localhost:<PORT>. */
function appUrl(env: Env): string {
  const raw = env.APP_URL?.trim() || `http://localhost:${env.PORT?.trim() || "3000"}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`APP_URL must be an absolute http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(`APP_URL must be an http(s) URL, got "${raw}"`);
  }
  if (url.pathname !== "/" || url.search || url.hash || url.username || url.password) {
    throw new ConfigError(`APP_URL must be an origin only (scheme, host and port), got "${raw}"`);
  }
  return url.origin;
}

function oidcSettings(env: Env): OidcSettings | undefined {
  const issuer = env.AUTH_OIDC_ISSUER?.trim();
  const clientId = env.AUTH_OIDC_CLIENT_ID?.trim();
  const clientSecret = env.AUTH_OIDC_CLIENT_SECRET?.trim();
  if (!issuer && !clientId && !clientSecret) return undefined;
  if (!issuer || !clientId || !clientSecret) {
    throw new ConfigError("AUTH_OIDC_ISSUER, AUTH_OIDC_CLIENT_ID and AUTH_OIDC_CLIENT_SECRET go together: set all three or none");
  }
  return {
    issuer,
    clientId,
    clientSecret,
    name: env.AUTH_OIDC_NAME?.trim() || "Single sign-on",
    timeoutSeconds: seconds(env, "AUTH_OIDC_TIMEOUT", 5, 1),
  };
}

/** At least 32 characters: the token guards the process metrics, and a short one is guessed. */
function metricsToken(env: Env): string | undefined {
  const token = env.METRICS_TOKEN?.trim();
  if (!token) return undefined;
  if (token.length < 32) throw new ConfigError("METRICS_TOKEN must be at least 32 characters (e.g. openssl rand -hex 32)");
  return token;
}

export function loadAuthConfig(env: Env): AuthConfig {
  const refreshTtl = seconds(env, "AUTH_REFRESH_TTL", 2_592_000, 1);
  return {
    accessTtl: seconds(env, "AUTH_ACCESS_TTL", 900, 1),
    refreshTtl,
    refreshIdleTtl: seconds(env, "AUTH_REFRESH_IDLE_TTL", refreshTtl, 1),
    refreshReuseGrace: seconds(env, "AUTH_REFRESH_REUSE_GRACE", 10),
    loginMaxFailures: seconds(env, "AUTH_LOGIN_MAX_FAILURES", 5, 1),
    loginWindow: seconds(env, "AUTH_LOGIN_WINDOW", 900, 1),
    ipMaxFailures: seconds(env, "AUTH_IP_MAX_FAILURES", 300, 100),
    ipWindow: seconds(env, "AUTH_IP_WINDOW", 60, 1),
    hashMaxWait: seconds(env, "AUTH_HASH_MAX_WAIT", 10, 1),
    refreshRatePerMinute: seconds(env, "AUTH_REFRESH_RATE_LIMIT", 3000),
    registerRatePerMinute: seconds(env, "AUTH_REGISTER_RATE_LIMIT", 600),
    forgotRatePerMinute: seconds(env, "AUTH_FORGOT_RATE_LIMIT", 60),
    redisUrl: env.REDIS_URL?.trim() || undefined,
    redisKeyPrefix: env.REDIS_KEY_PREFIX?.trim() || "keep-signed-in:",
    revocationPush: flag(env, "AUTH_REVOCATION_PUSH", true) ?? true,
    metricsToken: metricsToken(env),
    allowSignup: flag(env, "AUTH_ALLOW_SIGNUP", true) ?? true,
    cookieSecure: flag(env, "AUTH_COOKIE_SECURE", undefined),
    production: env.NODE_ENV === "production",
    issuer: env.AUTH_ISSUER?.trim() || "keep-signed-in",
    audience: env.AUTH_AUDIENCE?.trim() || "keep-signed-in",
    retention: days(env, "AUTH_RETENTION_DAYS", 30),
    activityRetention: days(env, "AUTH_ACTIVITY_RETENTION_DAYS", 90),
    cleanupInterval: seconds(env, "AUTH_CLEANUP_INTERVAL", 3600),
    cleanupBatch: seconds(env, "AUTH_CLEANUP_BATCH", 1000, 1),
    appUrl: appUrl(env),
    trustedProxies: env.AUTH_TRUSTED_PROXIES?.trim() ?? "",
    smtpUrl: env.SMTP_URL?.trim() || undefined,
    mailFrom: env.MAIL_FROM?.trim() || "Keep Signed In <no-reply@localhost>",
    mailTimeout: seconds(env, "MAIL_TIMEOUT", 10, 1),
    resetTtl: seconds(env, "AUTH_RESET_TTL", 1800, 1),
    verifyTtl: seconds(env, "AUTH_VERIFY_TTL", 86_400, 1),
    requireEmailVerification: flag(env, "AUTH_REQUIRE_EMAIL_VERIFICATION", false) ?? false,
    oidc: oidcSettings(env),
  };
}
