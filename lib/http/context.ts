// Wires the core to this process: settings from the environment, the signing keys (current and previous),
// the Prisma store on the database that DATABASE_URL names (SQLite or PostgreSQL), and the JSON logger.
// Built once per process and shared by every route handler and server component.
import { loadAuthConfig, type AuthConfig } from "../auth/config";
import { importKeyRing } from "../auth/keys";
import { AuthService } from "../auth/service";
import { database } from "../db/client";
import { PrismaAuthStore } from "../db/prisma-store";
import { reportingUnavailable } from "../db/unavailable";
import { logJson } from "../ops/log";

export interface AuthContext {
  config: AuthConfig;
  service: AuthService;
}

const globalForAuth = globalThis as unknown as { authContext?: Promise<AuthContext> };

export function authSecret(): string {
  const secret = process.env.AUTH_SECRET;
  if (!secret) throw new Error("AUTH_SECRET is not set: start the app with `npm start`, which provides one");
  return secret;
}

async function createContext(): Promise<AuthContext> {
  const config = loadAuthConfig(process.env);
  const keys = await importKeyRing(authSecret(), process.env.AUTH_PREVIOUS_SECRETS);
  const store = reportingUnavailable(new PrismaAuthStore(database()));
  const service = new AuthService({ config, store, ...keys, log: logJson });
  return { config, service };
}

export function authContext(): Promise<AuthContext> {
  globalForAuth.authContext ??= createContext().catch((error: unknown) => {
    globalForAuth.authContext = undefined;
    throw error;
  });
  return globalForAuth.authContext;
}
