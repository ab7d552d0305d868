// Types for settings.mjs, so TypeScript code imports it as it is.
export type Env = Record<string, string | undefined>;
export type Dialect = "sqlite" | "postgresql";

export interface DatabaseSettings {
  dialect: Dialect;
  /** DATABASE_URL (or the default), with a SQLite path made absolute. */
  url: string;
  /** The SQLite file, absolute; undefined with PostgreSQL. */
  file: string | undefined;
  /** Where the generated secret (and the SQLite file) live. */
  dataDir: string;
}

export const DEFAULT_DATABASE_URL: string;
export const MIN_SECRET_BYTES: number;
export const DEFAULT_POOL_SIZE: number;
export class SettingsError extends Error {}
export function dialectOf(url: string): Dialect;
export function resolvePath(root: string, file: string): string;
export function sqliteFile(url: string, root: string): string;
export function databaseSettings(env: Env, root: string): DatabaseSettings;
export function poolSize(env: Env): number;
export function checkSecret(secret: string, name?: string): string;
export function previousSecrets(raw: string | undefined): string[];
