// Types for secret-file.mjs, so TypeScript code (the tests) can import it.
export const SECRET_FILE_NAME: string;
export class SecretFileError extends Error {}
export function loadOrCreateSecret(dataDir: string, onCreated?: (file: string) => void): string;
export function createSecretFile(file: string, onCreated?: (file: string) => void): string;
export function readSecretFile(file: string): string | undefined;
