// The composition root: the one place that turns the environment into the app's running parts (settings,
// signing keys, the database and its store, the logger, the auth service, the account admin). Route
// handlers and pages (through lib/http), the cleanup schedule (lib/ops) and the admin command
// (scripts/admin.mts) all get them from here, so they all run the same store, wrapped the same way.
//
// Adding a part: one line in buildAuthApp that builds it from the parts above it, one field in AuthApp,
// then hand it to whatever uses it (`new AuthService({ ..., mailer })`).
import { AccountAdmin } from "../auth/admin";
import type { AuthLogger } from "../auth/activity";
import { loadAuthConfig, type AuthConfig, type Env } from "../auth/config";
import { importKeyRing } from "../auth/keys";
import type { AuthMetrics } from "../auth/metrics";
import { setHashingLimits } from "../auth/password";
import { inProcessFeed } from "../auth/revocation-feed";
import { AuthService } from "../auth/service";
import type { AuthStore } from "../auth/store";
import { database as processDatabase, type Database } from "../db/client";
import { PrismaAuthStore } from "../db/prisma-store";
import { reportingUnavailable } from "../db/unavailable";
import { OidcFlowSeal } from "../http/oidc-flow";
import { OpenIdClient } from "../oidc/client";
import { createMailer, type Mailer } from "../mail/mailer";
import { logJson, logMailJson } from "../ops/log";
import { countAuthEvent, prometheusMetrics } from "../ops/metrics";
import { databaseSettings } from "../settings.mjs";

export interface AuthApp {
  config: AuthConfig;
  log: AuthLogger;
  database: Database;
  /** The store every use case runs on; database outages arrive as 503 `service_unavailable`. */
  store: AuthStore;
  service: AuthService;
  admin: AccountAdmin;
  /** The OpenID provider's client, when single sign-on is configured (one discovery cache per process). */
  sso: OpenIdClient | undefined;
  /** Seals the single sign-on in progress into its cookie, with a key derived from AUTH_SECRET. */
  ssoFlows: OidcFlowSeal;
  /** Outgoing mail: SMTP_URL, or the data folder's outbox. */
  mailer: Mailer;
}

export interface AuthAppOptions {
  /** Defaults to this process's database (lib/db/client.ts), the one DATABASE_URL names. */
  database?: Database;
  /** Defaults to JSON lines on stdout (lib/ops/log.ts). */
  log?: AuthLogger;
  /** What the service counts besides its log (the liveness cache); nothing by default. */
  metrics?: AuthMetrics;
}

export async function buildAuthApp(env: Env, options: AuthAppOptions = {}): Promise<AuthApp> {
  const config = loadAuthConfig(env); // a bad setting stops here, before the database is touched
  setHashingLimits({ maxWaitSeconds: config.hashMaxWait });
  const log = options.log ?? logJson;
  const secret = requiredSecret(env);
  const keys = await importKeyRing(secret, env.AUTH_PREVIOUS_SECRETS);
  const database = options.database ?? processDatabase();
  const store = reportingUnavailable(new PrismaAuthStore(database));
  const outbox = `${databaseSettings(env, process.cwd()).dataDir}/outbox`;
  const mailer = createMailer(config, outbox, logMailJson);
  // Pushed between instances on PostgreSQL; in process on SQLite (one server) or with push turned off.
  const feed = (config.revocationPush && database.revocationFeed?.()) || inProcessFeed();
  const service = new AuthService({ config, store, ...keys, log, metrics: options.metrics, notify: mailer.notify, feed });
  const admin = new AccountAdmin({ config, store, log, feed });
  const sso = config.oidc && new OpenIdClient(config.oidc, `${config.appUrl}/api/auth/oidc/callback`);
  const ssoFlows = new OidcFlowSeal(secret);
  return { config, log, database, store, service, admin, mailer, sso, ssoFlows };
}

function requiredSecret(env: Env): string {
  const secret = env.AUTH_SECRET;
  if (!secret) throw new Error("AUTH_SECRET is not set: start the app with `npm start`, which provides one");
  return secret;
}

/** A server's log: JSON lines, and the Prometheus counters derived from them (GET /api/metrics). */
const loggedAndCounted: AuthLogger = (entry) => {
  logJson(entry);
  countAuthEvent(entry);
};

const globalForApp = globalThis as unknown as { authApp?: Promise<AuthApp> };

/** This server process's app, built from process.env at first use and shared across requests and reloads. */
export function authApp(): Promise<AuthApp> {
  globalForApp.authApp ??= buildAuthApp(process.env, { log: loggedAndCounted, metrics: prometheusMetrics }).catch((error: unknown) => {
    globalForApp.authApp = undefined; // the next request tries again (a setting fixed, a database back)
    throw error;
  });
  return globalForApp.authApp;
}
