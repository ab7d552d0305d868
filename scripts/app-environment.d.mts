// Types for app-environment.mjs, so TypeScript code (the admin command, the tests) can import it.
import type { DatabaseSettings, Env } from "../lib/settings.mjs";

export const projectRoot: string;
export function appEnvironment(
  env: Env,
  hooks?: { warn?: (message: string) => void; onSecretCreated?: (file: string) => void },
): { env: Env & { DATABASE_URL: string; AUTH_SECRET: string }; database: DatabaseSettings };
