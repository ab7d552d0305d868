// The part of oidc-provider's API the test provider uses: the package ships no types of its own (and
// @types/oidc-provider would be one more dependency for four members).
declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "node:http";

  export interface ClientMetadata {
    client_id: string;
    client_secret: string;
    redirect_uris: string[];
    grant_types: string[];
    response_types: string[];
  }

  export interface Account {
    accountId: string;
    claims(use: string, scope: string): Record<string, unknown> | Promise<Record<string, unknown>>;
  }

  export interface Configuration {
    clients: ClientMetadata[];
    claims: Record<string, string[]>;
    findAccount(ctx: unknown, id: string): Account | undefined | Promise<Account | undefined>;
    cookies: { keys: string[] };
    features: { devInteractions: { enabled: boolean } };
    pkce: { required: () => boolean };
    jwks?: { keys: Record<string, unknown>[] };
  }

  export default class Provider {
    constructor(issuer: string, configuration: Configuration);
    callback(): (request: IncomingMessage, response: ServerResponse) => void;
  }
}
