// Reading a request safely: the body under a size limit, the cross-site check, the client's details.
import { isIP } from "node:net";
import type { NextRequest } from "next/server";
import type { z } from "zod";
import type { AuthConfig } from "../auth/config";
import { AuthError } from "../auth/errors";
import { browserOrigin, peerAddress } from "./browser-origin";
import { clientAddress } from "./proxy-trust.mjs";
import type { ClientInfo } from "../auth/types";

export const MAX_BODY_BYTES = 64 * 1024;
const MAX_USER_AGENT_LENGTH = 512;

/** Reads at most 64 KB, parses JSON and validates it; anything else is a 413 or 400, never a 500. */
export async function readJson<Schema extends z.ZodType>(request: Request, schema: Schema): Promise<z.output<Schema>> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) throw new AuthError("payload_too_large");
  const text = await readLimited(request);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AuthError("invalid_input", { message: "The body must be a JSON object." });
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new AuthError("invalid_input", { message: "The body must be a JSON object." });
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AuthError("invalid_input", { message: issue?.message ?? "The request is not valid." });
  }
  return parsed.data;
}

async function readLimited(request: Request): Promise<string> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw new AuthError("payload_too_large");
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new AuthError("invalid_input", { message: "The body must be UTF-8 JSON." });
  }
}

/**
 * Refuses cross-site requests: `Sec-Fetch-Site: cross-site`, `Origin: null`, or an Origin whose host is
 * neither APP_URL's nor the one the request was sent to (its Host header, or a trusted proxy's
 * X-Forwarded-Host). Host is safe to compare with: a cross-site page cannot make the victim's browser send
 * another Host, and a client that can set any header can as well leave Origin out. A request with neither
 * header is a non-browser client.
 */
export function assertSameOrigin(request: NextRequest, config: Pick<AuthConfig, "appUrl" | "trustedProxies">): void {
  if (request.headers.get("sec-fetch-site") === "cross-site") throw new AuthError("csrf_rejected");
  const origin = request.headers.get("origin");
  if (origin === null) return;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new AuthError("csrf_rejected"); // "null" and anything else that is not an origin
  }
  if (origin === config.appUrl) return;
  const asked = browserOrigin(request.headers, config.trustedProxies);
  if (!asked || originHost.toLowerCase() !== asked.host) throw new AuthError("csrf_rejected");
}

/**
 * The credential of `Authorization: Bearer …`, for non-browser clients. Whatever follows the scheme is a
 * presented credential, even when it is not one well-formed token (`Bearer a b`): it is refused as
 * `invalid_token`, never mistaken for a request without credentials. Other schemes carry no bearer token.
 */
export function bearerToken(request: Request): string | undefined {
  const match = /^\s*Bearer(?:\s+(.*))?$/is.exec(request.headers.get("authorization") ?? "");
  return match?.[1]?.trim() || undefined;
}

/**
 * The client's address: the TCP peer's, or, through the proxies AUTH_TRUSTED_PROXIES names, the first
 * X-Forwarded-For hop from the right that is not one of them. Null when the request did not come through
 * our server or the hop is not an address; per-address bounds then count it under one shared key. See
 * README, "Client addresses".
 */
export function clientInfo(request: Request, config: Pick<AuthConfig, "trustedProxies">): ClientInfo {
  const peer = peerAddress(request.headers);
  const address = peer && clientAddress(peer, request.headers.get("x-forwarded-for"), config.trustedProxies);
  const ip = address && isIP(address) ? address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, "$1") : null; // IPv4 as people write it
  const userAgent = request.headers.get("user-agent")?.slice(0, MAX_USER_AGENT_LENGTH) || null;
  return { ip, userAgent };
}
