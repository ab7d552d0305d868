// The environment the app runs with, as `npm start` and `npm run admin` both prepare it from the settings
// (lib/settings.mjs): DATABASE_URL with an absolute SQLite path, the pool size checked, and AUTH_SECRET,
// from the environment or else the data folder's generated one, checked with any previous secrets.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { checkSecret, databaseSettings, poolSize, previousSecrets } from "../lib/settings.mjs";
import { loadOrCreateSecret } from "./secret-file.mjs";

/** The project folder: a relative SQLite path and `./data` are relative to it. */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Throws (SettingsError, SecretFileError) with a message for people when a setting is wrong.
 * `warn` hears about a generated secret used with PostgreSQL; `onSecretCreated` about a new secret file.
 */
export function appEnvironment(env, { warn = () => {}, onSecretCreated = () => {} } = {}) {
  const database = databaseSettings(env, projectRoot);
  const prepared = { ...env, DATABASE_URL: database.url };
  poolSize(prepared);
  if (!prepared.AUTH_SECRET) {
    if (database.dialect === "postgresql") {
      // A PostgreSQL database is usually shared by several instances, and each must sign and derive tokens
      // with the same secret: one generated here belongs to this machine's data folder only.
      warn(
        "AUTH_SECRET is not set: using a secret kept in this machine's data folder. Every instance that shares " +
          "this database must have the same AUTH_SECRET, or tokens issued by one are refused by the others.",
      );
    }
    prepared.AUTH_SECRET = loadOrCreateSecret(database.dataDir, onSecretCreated);
  }
  checkSecret(prepared.AUTH_SECRET);
  // Secrets of before a rotation: still accepted, never used to sign (README).
  for (const previous of previousSecrets(prepared.AUTH_PREVIOUS_SECRETS)) checkSecret(previous, "Each AUTH_PREVIOUS_SECRETS entry");
  return { env: prepared, database };
}
