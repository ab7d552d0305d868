// Bodies: anything that is not a JSON object, or has a field of the wrong type, is 400 invalid_input; a body
// over 64 KB is 413 payload_too_large; bad input never causes a 500.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Client, PASSWORD, expectError, registerUser, uniqueEmail, type SignedIn } from "../support/client";
import { startServer, type TestServer } from "../support/server";

const LIMIT = 64 * 1024;

let server: TestServer;
let account: SignedIn;
beforeAll(async () => {
  server = await startServer();
  account = await registerUser(server);
});
afterAll(async () => {
  await server?.stop();
});

type Endpoint = { path: string; signedIn: boolean; valid: () => Record<string, unknown> };
const endpoints: [string, Endpoint][] = [
  ["register", { path: "/api/auth/register", signedIn: false, valid: () => ({ email: uniqueEmail(), password: PASSWORD }) }],
  ["login", { path: "/api/auth/login", signedIn: false, valid: () => ({ email: uniqueEmail(), password: PASSWORD }) }],
  [
    "password",
    { path: "/api/auth/password", signedIn: true, valid: () => ({ currentPassword: "wrong password", newPassword: PASSWORD }) },
  ],
];

function send(endpoint: Endpoint, body: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
  const client = endpoint.signedIn ? account.client.clone() : new Client(server.url);
  return client.post(endpoint.path, undefined, { body, headers: { "content-type": "application/json", ...headers } });
}

/** A body streamed in chunks, so the server sees no Content-Length and must count as it reads. */
function streamed(text: string, chunkSize = 8 * 1024): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.byteLength) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + chunkSize));
      offset += chunkSize;
    },
  });
}

const notObjects: [string, string][] = [
  ["not JSON", "email=a@example.test&password=x"],
  ["truncated JSON", '{"email": "a@example.test", "password": '],
  ["an empty body", ""],
  ["a JSON array", "[]"],
  ["a JSON array of an object", `[{"email":"a@example.test","password":"${PASSWORD}"}]`],
  ["JSON null", "null"],
  ["a JSON string", '"a@example.test"'],
  ["a JSON number", "42"],
  ["JSON true", "true"],
];

describe.each(endpoints)("POST %s", (_name, endpoint) => {
  test.each(notObjects)("a body that is %s → 400 invalid_input", async (_label, body) => {
    await expectError(await send(endpoint, body), 400, "invalid_input");
  });

  test("each field with the wrong type → 400 invalid_input", async () => {
    const valid = endpoint.valid();
    for (const field of Object.keys(valid)) {
      for (const wrong of [12345678, true, null, ["x@example.test"], { value: "x" }]) {
        const response = await send(endpoint, JSON.stringify({ ...valid, [field]: wrong }));
        await expectError(response, 400, "invalid_input");
      }
    }
  });

  test("a missing field → 400 invalid_input", async () => {
    const valid = endpoint.valid();
    for (const field of Object.keys(valid)) {
      const { [field]: _dropped, ...rest } = valid;
      await expectError(await send(endpoint, JSON.stringify(rest)), 400, "invalid_input");
    }
  });

  test("bytes that are not UTF-8 → 400 invalid_input", async () => {
    const body = new Uint8Array([0x7b, 0x22, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]); // {"e":"\xff\xfe"}
    await expectError(await send(endpoint, body), 400, "invalid_input");
  });

  test("a body over 64 KB → 413 payload_too_large", async () => {
    const body = JSON.stringify({ ...endpoint.valid(), padding: "x".repeat(LIMIT) });
    await expectError(await send(endpoint, body), 413, "payload_too_large");
  });

  test("a body over 64 KB sent in chunks without Content-Length → 413 payload_too_large", async () => {
    const body = JSON.stringify({ ...endpoint.valid(), padding: "x".repeat(LIMIT + 1) });
    await expectError(await send(endpoint, streamed(body)), 413, "payload_too_large");
  });

  test("a large body just under 64 KB is read and judged on its fields (400, not 413)", async () => {
    const valid = endpoint.valid();
    const field = Object.keys(valid).at(-1)!;
    const body = JSON.stringify({ ...valid, [field]: "p".repeat(LIMIT - 200) });
    expect(Buffer.byteLength(body)).toBeLessThan(LIMIT);
    await expectError(await send(endpoint, body), 400, "invalid_input");
  });

  test("hostile shapes are refused cleanly, never with a 500", async () => {
    const valid = endpoint.valid();
    const bodies = [
      `{"__proto__": ${JSON.stringify(valid)}}`,
      `{"constructor": {"prototype": {"email": "x"}}}`,
      `${"[".repeat(5_000)}${"]".repeat(5_000)}`,
      JSON.stringify({ ...valid, [Object.keys(valid)[0]!]: "\u0000".repeat(50) }),
      JSON.stringify(Object.fromEntries(Object.keys(valid).map((key) => [key, "\ud800"]))),
    ];
    for (const body of bodies) {
      const response = await send(endpoint, body);
      const text = await response.text();
      expect(response.status, `${body.slice(0, 60)} → ${text}`).toBeGreaterThanOrEqual(400);
      expect(response.status, `${body.slice(0, 60)} → ${text}`).toBeLessThan(500);
      expect(JSON.parse(text)).toEqual({ error: expect.any(String), message: expect.any(String) });
    }
  });
});

describe("extra fields", () => {
  test("unknown extra fields are ignored", async () => {
    const response = await new Client(server.url).post("/api/auth/login", {
      email: account.email,
      password: PASSWORD,
      rememberMe: true,
    });
    expect(response.status).toBe(200);
  });
});
