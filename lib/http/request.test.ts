import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearerToken, clientInfo } from "./request";

// scripts/serve.mjs names the peer header per process and says so in KSI_PEER_HEADER.
const PEER_HEADER = "x-ksi-peer-test";
let previous: string | undefined;
beforeAll(() => {
  previous = process.env.KSI_PEER_HEADER;
  process.env.KSI_PEER_HEADER = PEER_HEADER;
});
afterAll(() => {
  if (previous === undefined) delete process.env.KSI_PEER_HEADER;
  else process.env.KSI_PEER_HEADER = previous;
});

function request(headers: Record<string, string>): Request {
  return new Request("http://localhost/api/auth/login", { headers });
}

const forwardedFor = fc
  .tuple(
    fc.array(
      fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom("", " ", "unknown", "::ffff:6.6.6.6", "127.0.0.1"), fc.string({ maxLength: 16 })),
      { maxLength: 6 },
    ),
    fc.constantFrom(",", ", ", " ,"),
  )
  .map(([entries, separator]) => entries.join(separator))
  .filter((value) => !/[\r\n\0]/.test(value) && value === value.trim() && /^[\x20-\x7e]*$/.test(value));

describe("clientInfo", () => {
  it("with no trusted proxy, the address is the peer's whatever X-Forwarded-For says", () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), forwardedFor, (peer, header) => {
        const info = clientInfo(request({ [PEER_HEADER]: peer, "x-forwarded-for": header }), { trustedProxies: "" });
        expect(info.ip).toBe(peer.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, "$1"));
      }),
      { numRuns: 2_000 },
    );
  });

  it("behind one trusted proxy, the address is its entry, the rightmost, when that is an address", () => {
    fc.assert(
      fc.property(forwardedFor, fc.ipV4(), (header, client) => {
        const info = clientInfo(request({ [PEER_HEADER]: "10.0.0.1", "x-forwarded-for": `${header ? `${header}, ` : ""}${client}` }), {
          trustedProxies: "1",
        });
        expect(info.ip).toBe(client);
      }),
      { numRuns: 1_000 },
    );
  });

  it("is null (one shared key for the bounds) without a peer, or when the trusted proxy's entry is not an address", () => {
    expect(clientInfo(request({ "x-forwarded-for": "6.6.6.6" }), { trustedProxies: "1" }).ip).toBeNull();
    expect(clientInfo(request({ "x-ksi-peer-address": "6.6.6.6" }), { trustedProxies: "" }).ip).toBeNull();
    expect(clientInfo(request({ [PEER_HEADER]: "10.0.0.1", "x-forwarded-for": "not-an-address" }), { trustedProxies: "1" }).ip).toBeNull();
    // No entry at all: the proxy's own address, shared by everyone behind it.
    expect(clientInfo(request({ [PEER_HEADER]: "10.0.0.1", "x-forwarded-for": "," }), { trustedProxies: "1" }).ip).toBe("10.0.0.1");
  });

  it("writes IPv4-mapped IPv6 peers as IPv4", () => {
    expect(clientInfo(request({ [PEER_HEADER]: "::ffff:127.0.0.1" }), { trustedProxies: "" }).ip).toBe("127.0.0.1");
  });
});

describe("bearerToken", () => {
  it.each([
    ["Bearer abc", "abc"],
    ["bearer abc", "abc"],
    ["Bearer a b", "a b"],
    ["Bearer   abc  ", "abc"],
    ["Bearer", undefined],
    ["Bearer ", undefined],
    ["Basic dXNlcjpwYXNz", undefined],
    ["Bearerabc", undefined],
    ["", undefined],
  ])("%j → %j: whatever follows the scheme is the presented credential", (header, expected) => {
    expect(bearerToken(request({ authorization: header }))).toBe(expected);
  });
});
