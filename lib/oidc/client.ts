// The OpenID Connect relying party: a thin adapter over openid-client that turns a provider's redirect
// into "this issuer vouches that this subject signed in, with this email". It knows nothing of accounts,
// sessions or cookies; lib/auth decides what a verified identity means.
//
// What openid-client checks for us on the way back: `state` (login CSRF), the `iss` response parameter
// when the provider supports RFC 9207 (mix-up), the code exchange with the PKCE verifier (code injection),
// and the ID token: signature against the provider's JWKS (refetched for an unknown `kid`, so key rotation
// works), `iss`, `aud`, `azp`, `nonce`, `exp` and `iat`, with the algorithms discovery announced.
import * as oidc from "openid-client";
import type { OidcSettings } from "../auth/config";
import type { ProviderIdentity } from "../auth/types";

/** What the browser must bring back to the callback; kept sealed in a short-lived cookie. */
export interface AuthorizationRequest {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/**
 * `unavailable`: the provider did not answer (down, slow, a 5xx); trying again later may work.
 * `rejected`: it answered with an error, or with something that failed a check; nobody is signed in.
 */
export class OidcError extends Error {
  constructor(
    readonly kind: "unavailable" | "rejected",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "OidcError";
  }
}

export function isOidcError(value: unknown): value is OidcError {
  return value instanceof Error && value.name === "OidcError" && "kind" in value;
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** https://, or http:// on this machine only (tests and demos); anything else is refused. */
export function issuerUrl(issuer: string): URL {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new OidcError("rejected", `AUTH_OIDC_ISSUER is not a URL: "${issuer}"`);
  }
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname)) return url;
  throw new OidcError("rejected", `AUTH_OIDC_ISSUER must be https:// (http:// only on localhost or 127.0.0.1), got "${issuer}"`);
}

/** The provider did not answer, as opposed to answering "no". */
function isOutage(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === "TimeoutError" || error.name === "AbortError" || error instanceof TypeError) return true;
  if (error instanceof oidc.ResponseBodyError) return error.status >= 500;
  const { code, cause } = error as { code?: unknown; cause?: unknown };
  if (code === "OAUTH_TIMEOUT" || code === "OAUTH_ABORT") return true; // openid-client's wrapped timeouts
  if (cause instanceof Response) return cause.status >= 500;
  return cause instanceof TypeError; // fetch failed: refused, reset, no route
}

function classify(error: unknown, step: string): OidcError {
  if (isOidcError(error)) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return isOutage(error)
    ? new OidcError("unavailable", `the provider did not answer at ${step}: ${detail}`, { cause: error })
    : new OidcError("rejected", `${step} failed: ${detail}`, { cause: error });
}

export class OpenIdClient {
  private discovered: Promise<oidc.Configuration> | undefined;

  constructor(
    private readonly settings: OidcSettings,
    /** APP_URL/api/auth/oidc/callback: from settings, never from a request's Host. */
    readonly redirectUri: string,
  ) {}

  get name(): string {
    return this.settings.name;
  }

  /** Where to send the browser, and what it must bring back. */
  async authorizationRequest(): Promise<{ url: URL; request: AuthorizationRequest }> {
    const config = await this.configuration();
    const request = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      response_type: "code",
      scope: "openid email",
      state: request.state,
      nonce: request.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(request.codeVerifier),
      code_challenge_method: "S256",
    });
    return { url, request };
  }

  /**
   * Checks the provider's redirect to the callback (`query`: its search string) against what this browser
   * was sent with, exchanges the code, validates the ID token, and reads the email from it or, when it
   * lacks the email, from UserInfo.
   */
  async identityFromCallback(query: string, expected: AuthorizationRequest): Promise<ProviderIdentity> {
    const config = await this.configuration();
    const callbackUrl = new URL(this.redirectUri);
    callbackUrl.search = query;
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        expectedState: expected.state,
        expectedNonce: expected.nonce,
        pkceCodeVerifier: expected.codeVerifier,
        idTokenExpected: true,
      });
    } catch (error) {
      throw classify(error, "the code exchange");
    }
    const claims = tokens.claims();
    if (!claims) throw new OidcError("rejected", "the token response had no ID token");
    let email = claims.email;
    let verified = claims.email_verified;
    if (typeof email !== "string" || typeof verified !== "boolean") {
      try {
        const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
        email = typeof email === "string" ? email : info.email;
        verified = typeof verified === "boolean" ? verified : info.email_verified;
      } catch (error) {
        throw classify(error, "UserInfo");
      }
    }
    return {
      issuer: claims.iss,
      subject: claims.sub,
      email: typeof email === "string" && email.length > 0 ? email : null,
      emailVerified: verified === true,
    };
  }

  /** Discovery once per process; a failed one is forgotten, so the next sign-in tries again. */
  private configuration(): Promise<oidc.Configuration> {
    this.discovered ??= this.discover().catch((error: unknown) => {
      this.discovered = undefined;
      throw classify(error, "discovery");
    });
    return this.discovered;
  }

  private async discover(): Promise<oidc.Configuration> {
    const issuer = issuerUrl(this.settings.issuer);
    const execute = [oidc.enableNonRepudiationChecks]; // verify ID-token signatures against the JWKS
    if (issuer.protocol === "http:") execute.push(oidc.allowInsecureRequests);
    return oidc.discovery(issuer, this.settings.clientId, this.settings.clientSecret, undefined, {
      execute,
      timeout: this.settings.timeoutSeconds, // every later request of this configuration too
    });
  }
}
