// The sign-in in progress with the OpenID provider, carried by the browser between the start and the
// callback: sealed (encrypted and authenticated, jose JWE `dir` + A256GCM) with a key derived from
// AUTH_SECRET, so it can be neither read (the nonce and PKCE verifier stay secret) nor forged nor altered,
// and it expires on its own. Being a cookie, it binds the flow to this browser: a callback arriving in
// another browser carries another flow, or none, and its `state` does not match.
import { hkdfSync } from "node:crypto";
import { EncryptJWT, jwtDecrypt } from "jose";
import type { AuthorizationRequest } from "../oidc/client";

/** Long enough to sign in at the provider (and type a password there), short enough to be single-use in practice. */
export const OIDC_FLOW_TTL_SECONDS = 600;

export interface OidcFlow extends AuthorizationRequest {
  /** Where to go afterwards: a same-origin path, checked before sealing. */
  next: string;
  /** Set when a signed-in person is connecting the provider to their account, not signing in. */
  link?: { userId: string; sessionId: string };
}

/** Seals and opens flows with a key derived once from the server secret. */
export class OidcFlowSeal {
  private readonly key: Uint8Array;

  constructor(secret: string) {
    this.key = new Uint8Array(hkdfSync("sha256", secret, "", "keep-signed-in/oidc-flow/v1", 32));
  }

  async seal(flow: OidcFlow, now: Date): Promise<string> {
    const issuedAt = Math.floor(now.getTime() / 1000);
    return new EncryptJWT({ flow })
      .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + OIDC_FLOW_TTL_SECONDS)
      .encrypt(this.key);
  }

  /** The flow, or null when it is missing, forged, altered or expired. */
  async open(sealed: string | undefined, now: Date): Promise<OidcFlow | null> {
    if (!sealed) return null;
    try {
      const { payload } = await jwtDecrypt(sealed, this.key, {
        keyManagementAlgorithms: ["dir"],
        contentEncryptionAlgorithms: ["A256GCM"],
        currentDate: now,
      });
      const flow = payload.flow as OidcFlow | undefined;
      if (!flow || typeof flow.state !== "string" || typeof flow.nonce !== "string" || typeof flow.codeVerifier !== "string") {
        return null;
      }
      return flow;
    } catch {
      return null;
    }
  }
}
