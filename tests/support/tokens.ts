// Tokens and time for tests: reading a JWT's claims and header, signing one as an attacker would, and
// waiting for lifetimes (real seconds) to pass.
import { SignJWT, decodeJwt, decodeProtectedHeader, type JWTPayload, type ProtectedHeaderParameters } from "jose";
import { TEST_SECRET, type TestServer } from "./server";

export function accessClaims(token: string): JWTPayload {
  return decodeJwt(token);
}

export function accessHeader(token: string): ProtectedHeaderParameters {
  return decodeProtectedHeader(token);
}

export function base64url(value: string | object): string {
  return Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
}

/** Signs a JWT as an attacker (or a test) would: any claims, algorithm, key id and secret. */
export function signToken(
  claims: JWTPayload,
  options: { kid?: string; alg?: string; secret?: string } = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: options.alg ?? "HS256", typ: "JWT", ...(options.kid ? { kid: options.kid } : {}) })
    .sign(new TextEncoder().encode(options.secret ?? TEST_SECRET));
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until the wall clock reaches `epochMs`. */
export async function sleepUntil(epochMs: number): Promise<void> {
  const wait = epochMs - Date.now();
  if (wait > 0) await sleep(wait);
}

/** `GET /api/me` with only an Authorization header, as a non-browser client. */
export function bearerMe(server: TestServer, token: string): Promise<Response> {
  return fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${token}` }, redirect: "manual" });
}

/** The `kid` in a JWT's header. */
export function kidOf(jwt: string): string | undefined {
  return accessHeader(jwt).kid;
}
