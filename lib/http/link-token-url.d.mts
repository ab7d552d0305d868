// Types for link-token-url.mjs.
import type { IncomingMessage } from "node:http";

export const LINK_TOKEN_HEADER: string;
export function takeLinkTokenOutOfUrl(request: IncomingMessage): void;
