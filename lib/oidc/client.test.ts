import { describe, expect, test } from "vitest";
import { issuerUrl, OpenIdClient } from "./client";

describe("issuerUrl", () => {
  test("https anywhere; http only on this machine", () => {
    expect(issuerUrl("https://accounts.google.com").href).toBe("https://accounts.google.com/");
    expect(issuerUrl("http://localhost:9000").host).toBe("localhost:9000");
    expect(issuerUrl("http://127.0.0.1:9000/realms/x").pathname).toBe("/realms/x");
    for (const refused of ["http://idp.example.com", "http://127.0.0.1.evil.example", "http://localhost.evil.example", "ftp://localhost", "not a url"]) {
      expect(() => issuerUrl(refused), refused).toThrow(/AUTH_OIDC_ISSUER/);
    }
  });

  test("a plain-http issuer elsewhere is refused before any request is made", async () => {
    const client = new OpenIdClient(
      { issuer: "http://idp.example.com", clientId: "c", clientSecret: "s", name: "X", timeoutSeconds: 1 },
      "http://localhost:3000/api/auth/oidc/callback",
    );
    await expect(client.authorizationRequest()).rejects.toMatchObject({ name: "OidcError", kind: "rejected" });
  });
});
