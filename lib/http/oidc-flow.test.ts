import { describe, expect, test } from "vitest";
import { OIDC_FLOW_TTL_SECONDS, OidcFlowSeal, type OidcFlow } from "./oidc-flow";

const SECRET = "flow-test-secret-that-is-at-least-32-bytes";
const FLOW: OidcFlow = { state: "s".repeat(43), nonce: "n".repeat(43), codeVerifier: "v".repeat(43), next: "/dashboard" };
const NOW = new Date("2026-12-01T12:00:00Z");
const seal = new OidcFlowSeal(SECRET);

describe("the sealed single sign-on flow", () => {
  test("opens to what was sealed, and hides it", async () => {
    const sealed = await seal.seal(FLOW, NOW);
    expect(sealed).not.toContain(FLOW.state);
    expect(Buffer.from(sealed.split(".")[3]!, "base64url").toString("latin1")).not.toContain("sss");
    expect(await seal.open(sealed, NOW)).toEqual(FLOW);
  });

  test("expires after its lifetime", async () => {
    const sealed = await seal.seal(FLOW, NOW);
    const later = new Date(NOW.getTime() + (OIDC_FLOW_TTL_SECONDS + 1) * 1000);
    expect(await seal.open(sealed, later)).toBeNull();
  });

  test("another secret, any altered character, or garbage opens to nothing", async () => {
    const sealed = await seal.seal(FLOW, NOW);
    expect(await new OidcFlowSeal(`${SECRET}-other`).open(sealed, NOW)).toBeNull();
    for (let i = 0; i < sealed.length; i += 7) {
      if (sealed[i] === ".") continue;
      const altered = `${sealed.slice(0, i)}${sealed[i] === "A" ? "B" : "A"}${sealed.slice(i + 1)}`;
      expect(await seal.open(altered, NOW), `position ${i}`).toBeNull();
    }
    for (const garbage of [undefined, "", "x", "a.b.c.d.e"]) expect(await seal.open(garbage, NOW)).toBeNull();
  });
});
