// Reading a request safely: the body under a size limit, the cross-site check, the client's details.
import type { NextRequest } from "next/server";
import type { z } from "zod";
import { AuthError } from "../auth/errors";
import { browserOrigin } from "./browser-origin";
import type { ClientInfo } from "../auth/service";

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
 * Refuses cross-site requests: `Sec-Fetch-Site: cross-site`, `Origin: null`, or an Origin whose host
 * differs from the one the request was sent to. A request with neither header is a non-browser client.
 */
export function assertSameOrigin(request: NextRequest): void {
  if (request.headers.get("sec-fetch-site") === "cross-site") throw new AuthError("csrf_rejected");
  const origin = request.headers.get("origin");
  if (origin === null) return;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new AuthError("csrf_rejected"); // "null" and anything else that is not an origin
  }
  const asked = browserOrigin(request.headers);
  if (!asked || originHost.toLowerCase() !== asked.host) throw new AuthError("csrf_rejected");
}

/** The bearer token of `Authorization`, for non-browser clients. */
export function bearerToken(request: Request): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "");
  return match?.[1];
}

/**
 * The client's address: the rightmost X-Forwarded-For entry, which the nearest proxy wrote (Next.js itself
 * fills the header with the socket's address when no proxy did). See README, "Client addresses".
 */
export function clientInfo(request: NextRequest): ClientInfo {
  const forwarded = request.headers.get("x-forwarded-for")?.split(",").at(-1)?.trim().slice(0, 64);
  const ip = forwarded?.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, "$1") || null; // IPv4 as people write it
  const userAgent = request.headers.get("user-agent")?.slice(0, MAX_USER_AGENT_LENGTH) || null;
  return { ip, userAgent };
}
