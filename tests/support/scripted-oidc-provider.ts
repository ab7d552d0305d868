// A tiny hand-written OpenID Provider on a real HTTP server, for the attacks and outages a certified
// provider never produces: ID tokens with a wrong `aud`, `iss` or `nonce`, expired, or signed by a key
// outside its JWKS; and endpoints that are slow or drop the connection. Each test scripts the next answer.
// It follows the protocol otherwise (discovery, PKCE S256 checked at the token endpoint, one use per code).
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from "jose";

export const SCRIPTED_CLIENT_ID = "keep-signed-in-scripted";
export const SCRIPTED_CLIENT_SECRET = "scripted-provider-client-secret-0123456789";

export type Endpoint = "discovery" | "token" | "jwks" | "userinfo";
/** `slow`: answers after `slowMs`; `down`: drops the connection without an answer. */
export type Behaviour = "ok" | "slow" | "down";

interface PendingCode {
  clientId: string;
  redirectUri: string;
  nonce: string | undefined;
  codeChallenge: string;
  used: boolean;
  subject: string;
}

export interface IdTokenScript {
  /** Changes the claims the provider would sign (wrong aud, iss, nonce, exp...). */
  claims?: (claims: JWTPayload) => JWTPayload;
  /** Sign with a key that is not in the JWKS (same `kid` or another). */
  foreignKey?: { kid: string };
}

export class ScriptedOidcProvider {
  readonly behaviour: Record<Endpoint, Behaviour> = { discovery: "ok", token: "ok", jwks: "ok", userinfo: "ok" };
  slowMs = 3_000;
  /** The next ID token's twist; reset after each token response. */
  nextIdToken: IdTokenScript = {};
  /** Claims of the signed-in person, in the ID token. */
  person: { sub: string; email?: string; email_verified?: boolean } = { sub: "scripted-user", email: "scripted@example.test", email_verified: true };
  /** Requests per endpoint, to show what the app fetched. */
  readonly hits: Record<Endpoint | "authorize", number> = { discovery: 0, token: 0, jwks: 0, userinfo: 0, authorize: 0 };

  private readonly codes = new Map<string, PendingCode>();
  private readonly server = createServer((request, response) => void this.handle(request, response));
  private keys!: { privateKey: CryptoKey; publicJwk: Record<string, unknown> };
  private foreign!: CryptoKey;
  issuer = "";

  static async start(): Promise<ScriptedOidcProvider> {
    const provider = new ScriptedOidcProvider();
    const { privateKey, publicKey } = await generateKeyPair("RS256");
    provider.keys = { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid: "scripted-1", alg: "RS256", use: "sig" } };
    provider.foreign = (await generateKeyPair("RS256")).privateKey;
    await new Promise<void>((resolve) => provider.server.listen(0, "127.0.0.1", resolve));
    provider.issuer = `http://127.0.0.1:${(provider.server.address() as AddressInfo).port}`;
    return provider;
  }

  appSettings(appUrl: string): Record<string, string> {
    return {
      APP_URL: appUrl,
      AUTH_OIDC_ISSUER: this.issuer,
      AUTH_OIDC_CLIENT_ID: SCRIPTED_CLIENT_ID,
      AUTH_OIDC_CLIENT_SECRET: SCRIPTED_CLIENT_SECRET,
    };
  }

  reset(): void {
    for (const endpoint of Object.keys(this.behaviour) as Endpoint[]) this.behaviour[endpoint] = "ok";
    this.nextIdToken = {};
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", this.issuer);
    const endpoint = this.endpointOf(url.pathname);
    if (endpoint) {
      this.hits[endpoint]++;
      const behaviour = this.behaviour[endpoint];
      if (behaviour === "down") {
        request.socket.destroy();
        return;
      }
      if (behaviour === "slow") await new Promise((resolve) => setTimeout(resolve, this.slowMs));
      if (response.destroyed) return;
    }
    switch (url.pathname) {
      case "/.well-known/openid-configuration":
        return this.json(response, 200, {
          issuer: this.issuer,
          authorization_endpoint: `${this.issuer}/authorize`,
          token_endpoint: `${this.issuer}/token`,
          jwks_uri: `${this.issuer}/jwks`,
          userinfo_endpoint: `${this.issuer}/userinfo`,
          response_types_supported: ["code"],
          subject_types_supported: ["public"],
          id_token_signing_alg_values_supported: ["RS256"],
          code_challenge_methods_supported: ["S256"],
          token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
        });
      case "/jwks":
        return this.json(response, 200, { keys: [this.keys.publicJwk] });
      case "/authorize":
        return this.authorize(url, response);
      case "/token":
        return this.token(request, response);
      case "/userinfo":
        return this.json(response, 200, { sub: this.person.sub, email: this.person.email, email_verified: this.person.email_verified });
      default:
        return this.json(response, 404, { error: "not_found" });
    }
  }

  private endpointOf(pathname: string): Endpoint | undefined {
    if (pathname === "/.well-known/openid-configuration") return "discovery";
    if (pathname === "/token") return "token";
    if (pathname === "/jwks") return "jwks";
    if (pathname === "/userinfo") return "userinfo";
    return undefined;
  }

  /** Signs the person in at once (no login page) and redirects back with a code. */
  private authorize(url: URL, response: ServerResponse): void {
    this.hits.authorize++;
    const params = url.searchParams;
    const redirectUri = params.get("redirect_uri") ?? "";
    const code = randomBytes(24).toString("base64url");
    this.codes.set(code, {
      clientId: params.get("client_id") ?? "",
      redirectUri,
      nonce: params.get("nonce") ?? undefined,
      codeChallenge: params.get("code_challenge") ?? "",
      used: false,
      subject: this.person.sub,
    });
    const back = new URL(redirectUri);
    back.searchParams.set("code", code);
    const state = params.get("state");
    if (state !== null) back.searchParams.set("state", state);
    response.writeHead(302, { location: back.href }).end();
  }

  private async token(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let body = "";
    for await (const chunk of request) body += chunk;
    const form = new URLSearchParams(body);
    // client_secret_basic or client_secret_post, as the client chooses.
    const basic = Buffer.from((request.headers.authorization ?? "").replace(/^Basic /, ""), "base64").toString();
    const [clientId, clientSecret] = request.headers.authorization
      ? basic.split(":").map((part) => decodeURIComponent(part))
      : [form.get("client_id"), form.get("client_secret")];
    if (clientId !== SCRIPTED_CLIENT_ID || clientSecret !== SCRIPTED_CLIENT_SECRET) {
      return this.json(response, 401, { error: "invalid_client" });
    }
    const pending = this.codes.get(form.get("code") ?? "");
    const verifier = form.get("code_verifier") ?? "";
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    if (!pending || pending.used || pending.redirectUri !== form.get("redirect_uri") || challenge !== pending.codeChallenge) {
      if (pending) pending.used = true;
      return this.json(response, 400, { error: "invalid_grant" });
    }
    pending.used = true;
    const script = this.nextIdToken;
    this.nextIdToken = {};
    const now = Math.floor(Date.now() / 1000);
    const standard: JWTPayload = {
      iss: this.issuer,
      aud: SCRIPTED_CLIENT_ID,
      iat: now,
      exp: now + 300,
      nonce: pending.nonce,
      ...this.person,
      sub: pending.subject,
    };
    const claims = script.claims ? script.claims(standard) : standard;
    const key = script.foreignKey ? this.foreign : this.keys.privateKey;
    const kid = script.foreignKey?.kid ?? (this.keys.publicJwk.kid as string);
    const idToken = await new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid, typ: "JWT" }).sign(key);
    return this.json(response, 200, {
      access_token: randomBytes(24).toString("base64url"),
      token_type: "Bearer",
      expires_in: 300,
      id_token: idToken,
    });
  }

  private json(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(body));
  }
}
