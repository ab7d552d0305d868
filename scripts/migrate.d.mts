// Types for migrate.mjs, so TypeScript code (the unit tests) can import it.
export function sqlitePath(url: string): string;
export function isSqliteUrl(url: string): boolean;
export function migrateSqlite(url: string, log?: (message: string) => void): void;
export function migrate(url: string, log?: (message: string) => void): Promise<void>;
