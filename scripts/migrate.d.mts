// Types for migrate.mjs, so TypeScript code (the tests) can import it.
export function migrateSqlite(url: string, log?: (message: string) => void): void;
export function migratePostgres(url: string, log?: (message: string) => void): Promise<void>;
export function migrate(url: string, log?: (message: string) => void): Promise<void>;
