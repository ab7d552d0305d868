// Account recovery, verification and security notices by mail, against the started server and a real SMTP
// server on a loopback port (SMTP_URL), and against the default outbox folder (no SMTP_URL). Every link is
// read from a received message and used as a person would: it works once, and only once.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { simpleParser, type ParsedMail } from "mailparser";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  Client,
  PASSWORD,
  bearerMe,
  expectAccessEndsWithin,
  expectError,
  jsonLogLines,
  loginUser,
  registerUser,
  responseCookie,
  sleep,
  uniqueEmail,
} from "../support/client";
import { postgresRequested } from "../support/postgres";
import { startServer, type TestServer } from "../support/server";
import { linkIn, stallingServer, startSmtp, tokenOf, type TestSmtp } from "../support/smtp";

const APP_URL = "https://app.keep.test"; // not the server's own address: links must come from APP_URL alone
const MAIL_FROM = "Keep Signed In Tests <auth@keep.test>";
const NEW_PASSWORD = "a brand new passphrase";

const forgot = (server: TestServer, email: unknown, headers: Record<string, string> = {}) =>
  new Client(server.url, headers).post("/api/auth/password/forgot", { email });
const reset = (server: TestServer, token: unknown, newPassword: unknown = NEW_PASSWORD) =>
  new Client(server.url).post("/api/auth/password/reset", { token, newPassword });
const verify = (server: TestServer, token: unknown) => new Client(server.url).post("/api/auth/email/verify", { token });

function expectRealMime(mail: ParsedMail, to: string): void {
  expect(mail.from?.value).toEqual([{ name: "Keep Signed In Tests", address: "auth@keep.test" }]);
  expect(mail.to && !Array.isArray(mail.to) ? mail.to.value.map((entry) => entry.address) : []).toEqual([to]);
  expect(mail.text?.trim().length).toBeGreaterThan(0);
  expect(typeof mail.html === "string" && mail.html.includes("<html")).toBe(true);
  // Every link in either part is on APP_URL.
  const links = [...`${mail.text}\n${mail.html}`.matchAll(/https?:\/\/[^\s"<>]+/g)].map((match) => match[0]);
  expect(links.length).toBeGreaterThan(0);
  for (const link of links) expect(new URL(link).origin).toBe(APP_URL);
}

describe("with an SMTP server", () => {
  let smtp: TestSmtp;
  let server: TestServer;
  const to = (email: string, subject: RegExp) => (mail: { to: string[]; parsed: ParsedMail }) =>
    mail.to.includes(email) && subject.test(mail.parsed.subject ?? "");

  beforeAll(async () => {
    smtp = await startSmtp();
    server = await startServer({ SMTP_URL: smtp.url, APP_URL, MAIL_FROM, AUTH_REFRESH_REUSE_GRACE: "0" });
  });
  afterAll(async () => {
    await server?.stop();
    await smtp?.close();
  });

  test("forgot → a real MIME reset email on APP_URL (whatever Host says) → reset works once; sessions end; new password signs in", async () => {
    const account = await registerUser(server);
    const other = await loginUser(server, account, "api-tests/other-browser");
    const response = await forgot(server, account.email.toUpperCase(), { "x-forwarded-host": "evil.example" });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({});

    const mail = await smtp.waitFor(to(account.email, /reset/i));
    expectRealMime(mail.parsed, account.email);
    const link = linkIn(mail.parsed, `${APP_URL}/reset-password?token=`);
    const token = tokenOf(link);
    expect(Buffer.from(token, "base64url").length).toBeGreaterThanOrEqual(32); // 256 bits
    expect(mail.parsed.html).toContain(link);

    const done = await reset(server, token);
    expect(done.status).toBe(204);
    await expectAccessEndsWithin(server, account.client.accessToken);
    await expectAccessEndsWithin(server, other.client.accessToken);
    await expectError(await reset(server, token, "yet another passphrase"), 400, "reset_invalid");
    await expectError(await new Client(server.url).login(account.email, PASSWORD), 401, "invalid_credentials");
    expect((await new Client(server.url).login(account.email, NEW_PASSWORD)).status).toBe(200);

    // The owner is told, and the reset shows in their activity.
    const notice = await smtp.waitFor(to(account.email, /password was reset/i));
    expectRealMime(notice.parsed, account.email);
    expect(notice.parsed.text).toContain(`${APP_URL}/forgot-password`);
    const signedIn = await loginUser(server, { email: account.email, password: NEW_PASSWORD });
    const activity = await (await signedIn.client.get("/api/auth/activity")).json();
    expect(activity.events.map((event: { type: string }) => event.type)).toContain("password_reset");
  });

  test("the pages the links open hold no token: the reset page offers its form, the token stays usable", async () => {
    const account = await registerUser(server);
    const verifyLink = linkIn((await smtp.waitFor(to(account.email, /confirm/i))).parsed, `${APP_URL}/verify-email?token=`);
    await forgot(server, account.email);
    const resetLink = linkIn((await smtp.waitFor(to(account.email, /reset/i))).parsed, `${APP_URL}/reset-password?token=`);
    for (const link of [resetLink, verifyLink]) {
      const page = await fetch(link.replace(APP_URL, server.url));
      expect(page.status, link).toBe(200);
      const html = await page.text();
      expect(html, link).not.toContain(tokenOf(link));
      expect(html, link).toContain(link.includes("reset") ? 'name="newPassword"' : "Confirm your email");
    }
    // A made-up token gets the bad-link message, and it is not echoed either.
    const bad = await (await fetch(`${server.url}/reset-password?token=made-up-token-0123456789`)).text();
    expect(bad).toContain("This reset link is not valid or has expired");
    expect(bad).not.toContain("made-up-token-0123456789");
    expect((await reset(server, tokenOf(resetLink))).status).toBe(204);
  });

  test("whatever spelling of a page's address carries a real link's token, no response holds it (generated)", async () => {
    const account = await registerUser(server);
    await forgot(server, account.email);
    const token = tokenOf(linkIn((await smtp.waitFor(to(account.email, /reset/i))).parsed, `${APP_URL}/reset-password`));
    const path = fc.constantFrom(
      "/reset-password", "/verify-email", "/reset-password/", "//reset-password", "/reset-password//", "/RESET-PASSWORD",
      "/reset%2Dpassword", "/./reset-password", "/x/../reset-password", "/login", "/dashboard", "/nowhere", "/",
    );
    const key = fc.constantFrom("token", "%74oken", "to%6Ben", "%74%6F%6B%65%6E");
    const other = fc.constantFrom("", "next=%2Fdashboard", "a=1", "token=decoy");
    await fc.assert(
      fc.asyncProperty(path, key, other, fc.boolean(), async (page, name, extra, first) => {
        const query = [`${name}=${token}`, extra].filter(Boolean);
        const response = await fetch(`${server.url}${page}?${(first ? query : query.reverse()).join("&")}`, { redirect: "manual" });
        expect(response.status, page).toBeLessThan(500);
        expect(await response.text(), page).not.toContain(token);
        expect(response.headers.get("location") ?? "", page).not.toContain(token);
      }),
      { numRuns: 60 },
    );
    expect((await reset(server, token)).status).toBe(204); // none of those requests spent it
  });

  test("unknown emails get the same answer and no message; malformed ones get 400", async () => {
    const before = smtp.received.length;
    const unknown = uniqueEmail("nobody");
    const response = await forgot(server, unknown);
    expect(response.status).toBe(202);
    expect(await response.text()).toBe("{}");
    // A known email sent after it arrives; the unknown one never does.
    const known = await registerUser(server);
    await forgot(server, known.email);
    await smtp.waitFor(to(known.email, /reset/i));
    expect(smtp.received.slice(before).some((mail) => mail.to.includes(unknown))).toBe(false);

    for (const body of [{ email: "not an email" }, { email: 42 }, {}, { email: `${"a".repeat(250)}@example.com` }]) {
      await expectError(await new Client(server.url).post("/api/auth/password/forgot", body), 400, "invalid_input");
    }
  });

  test("a newer link makes the older one invalid; a password change makes every link invalid", async () => {
    const account = await registerUser(server);
    await forgot(server, account.email);
    const first = tokenOf(linkIn((await smtp.waitFor(to(account.email, /reset/i))).parsed, `${APP_URL}/reset-password`));
    await forgot(server, account.email);
    const second = await smtp.waitFor((mail) => to(account.email, /reset/i)(mail) && !mail.parsed.text!.includes(first));
    const secondToken = tokenOf(linkIn(second.parsed, `${APP_URL}/reset-password`));
    await expectError(await reset(server, first), 400, "reset_invalid");

    const change = await account.client.post("/api/auth/password", { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(change.status).toBe(204);
    await expectError(await reset(server, secondToken), 400, "reset_invalid");
    const notice = await smtp.waitFor(to(account.email, /password was changed/i));
    expect(notice.parsed.text).toMatch(/Browser: /);
    expect(notice.parsed.text).toContain(`${APP_URL}/forgot-password`);
  });

  test("two concurrent resets with one link: exactly one succeeds", async () => {
    const account = await registerUser(server);
    await forgot(server, account.email);
    const token = tokenOf(linkIn((await smtp.waitFor(to(account.email, /reset/i))).parsed, `${APP_URL}/reset-password`));
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => reset(server, token, `racing passphrase ${i}`)),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([204, 400, 400, 400, 400, 400]);
    const winner = answers.findIndex((answer) => answer.status === 204);
    expect((await new Client(server.url).login(account.email, `racing passphrase ${winner}`)).status).toBe(200);
  });

  test("reset input: password rules as at sign-up, checked before the link; bad tokens are one answer", async () => {
    await expectError(await reset(server, "whatever", "short"), 400, "invalid_input");
    await expectError(await reset(server, "whatever", "x".repeat(129)), 400, "invalid_input");
    await expectError(await reset(server, 42), 400, "invalid_input");
    for (const token of ["", "unknown-token", "A".repeat(43)]) await expectError(await reset(server, token), 400, "reset_invalid");
  });

  test("3 requests per email within the window, known or not; then 429 with Retry-After", async () => {
    for (const email of [(await registerUser(server)).email, uniqueEmail("ghost")]) {
      for (let i = 0; i < 3; i++) expect((await forgot(server, email)).status).toBe(202);
      const refused = await forgot(server, email.toUpperCase());
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
      await expectError(refused, 429, "too_many_attempts");
    }
  });

  test("sign-up sends a verification link; it verifies once; /api/me says so", async () => {
    const account = await registerUser(server);
    const me = await (await account.client.get("/api/me")).json();
    expect(me.user).toEqual({ id: account.user.id, email: account.email, emailVerified: false });

    const mail = await smtp.waitFor(to(account.email, /confirm/i));
    expectRealMime(mail.parsed, account.email);
    const token = tokenOf(linkIn(mail.parsed, `${APP_URL}/verify-email?token=`));
    expect((await verify(server, token)).status).toBe(204);
    expect((await (await account.client.get("/api/me")).json()).user.emailVerified).toBe(true);
    await expectError(await verify(server, token), 400, "verify_invalid");
    await expectError(await verify(server, "no-such-token"), 400, "verify_invalid");
    await expectError(await verify(server, null), 400, "invalid_input");
    // A reset link is not a verification link.
    await forgot(server, account.email);
    const resetToken = tokenOf(linkIn((await smtp.waitFor(to(account.email, /reset/i))).parsed, `${APP_URL}/reset-password`));
    await expectError(await verify(server, resetToken), 400, "verify_invalid");
  });

  test("resend: 202 and a new link for the signed-in person; 401 without a session; 429 past the bound", async () => {
    const account = await registerUser(server);
    await smtp.waitFor(to(account.email, /confirm/i));
    const resent = await account.client.post("/api/auth/email/verify/resend");
    expect(resent.status).toBe(202);
    expect(await resent.json()).toEqual({});
    await smtp.waitFor((mail) => to(account.email, /confirm/i)(mail) && smtp.received.filter(to(account.email, /confirm/i)).length === 2);
    const links = smtp.received.filter(to(account.email, /confirm/i)).map((mail) => tokenOf(linkIn(mail.parsed, `${APP_URL}/verify-email`)));
    expect(new Set(links).size).toBe(2);
    expect((await verify(server, links[1])).status).toBe(204);

    const anonymous = await new Client(server.url).post("/api/auth/email/verify/resend");
    expect(anonymous.status).toBe(401);
    await account.client.post("/api/auth/email/verify/resend");
    await account.client.post("/api/auth/email/verify/resend");
    await expectError(await account.client.post("/api/auth/email/verify/resend"), 429, "too_many_attempts");
  });

  test("a new browser's sign-in is told to the owner; the sign-up browser and a known one are not", async () => {
    const account = await registerUser(server, { userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0" });
    const device = responseCookie(await account.client.login(account.email), "device");
    expect(device).toMatchObject({ httpOnly: true, sameSite: "lax", path: "/" });
    expect(device!.maxAge).toBeGreaterThan(30 * 86_400);
    // Same browser again (its device cookie), twice: nothing to tell.
    await account.client.login(account.email);

    const phone = new Client(server.url, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Safari/604.1");
    expect((await phone.login(account.email)).status).toBe(200);
    const notice = await smtp.waitFor(to(account.email, /new sign-in/i));
    expectRealMime(notice.parsed, account.email);
    expect(notice.parsed.text).toContain("Browser: Safari on iOS");
    expect(notice.parsed.text).toMatch(/Address: (127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)/);
    expect(notice.parsed.text).toContain(`${APP_URL}/forgot-password`);
    await phone.login(account.email); // known now
    await sleep(500);
    expect(smtp.received.filter(to(account.email, /new sign-in/i))).toHaveLength(1);
  });

  test("a reused refresh token that ends a session is told to the owner", async () => {
    const account = await registerUser(server);
    const stolen = account.client.refreshToken;
    expect((await account.client.post("/api/auth/refresh")).status).toBe(200);
    const thief = new Client(server.url, "curl/8.5.0");
    thief.setCookie("refresh_token", stolen);
    await expectError(await thief.post("/api/auth/refresh"), 403, "refresh_reused");
    const notice = await smtp.waitFor(to(account.email, /session .* was ended/i));
    expect(notice.parsed.text).toContain("Browser: curl");
    expect(notice.parsed.text).toContain(`${APP_URL}/forgot-password`);
  });

  test("no log line holds a link's token", async () => {
    const tokens = smtp.received.flatMap((mail) => [...(mail.parsed.text ?? "").matchAll(/token=([\w-]+)/g)].map((match) => match[1]!));
    expect(tokens.length).toBeGreaterThan(5);
    const output = server.output();
    for (const token of tokens) expect(output).not.toContain(token);
    expect(jsonLogLines(output).filter((line) => line.event === "mail.sent").length).toBeGreaterThan(5);
  });
});

describe("with the default outbox and required verification", () => {
  let server: TestServer;
  // The data folder is the SQLite file's folder, or ./data of the project on PostgreSQL (the contract's rule);
  // messages are told apart by their recipient, so a folder shared with other runs is fine.
  const outbox = () => path.join(postgresRequested() ? path.join(process.cwd(), "data") : server.dataDir, "outbox");
  const messages = async (): Promise<ParsedMail[]> =>
    existsSync(outbox())
      ? Promise.all(readdirSync(outbox()).filter((name) => name.endsWith(".eml")).sort().map((name) => simpleParser(readFileSync(path.join(outbox(), name)))))
      : [];
  async function waitForMessage(predicate: (mail: ParsedMail) => boolean): Promise<ParsedMail> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const found = (await messages()).filter(predicate).at(-1);
      if (found) return found;
      if (Date.now() > deadline) throw new Error("no such message in the outbox");
      await sleep(100);
    }
  }
  const sentTo = (email: string, subject: RegExp) => (mail: ParsedMail) =>
    !Array.isArray(mail.to) && mail.to?.value[0]?.address === email && subject.test(mail.subject ?? "");

  beforeAll(async () => {
    server = await startServer({ APP_URL, MAIL_FROM, AUTH_RESET_TTL: "1", AUTH_REQUIRE_EMAIL_VERIFICATION: "true" });
  });
  afterAll(async () => {
    await server?.stop();
  });

  test("sign-up answers 201 {user} with no cookie; the right password is 403 until the outbox's link is followed", async () => {
    const email = uniqueEmail("unverified");
    const signUp = await new Client(server.url).post("/api/auth/register", { email, password: PASSWORD });
    expect(signUp.status).toBe(201);
    expect(signUp.headers.getSetCookie()).toEqual([]);
    const body = await signUp.json();
    expect(body).toEqual({ user: { id: expect.any(String), email } });

    await expectError(await new Client(server.url).login(email, PASSWORD), 403, "email_unverified");
    await expectError(await new Client(server.url).login(email, "a wrong password"), 401, "invalid_credentials");

    const mail = await waitForMessage(sentTo(email, /confirm/i));
    expectRealMime(mail, email);
    expect((await verify(server, tokenOf(linkIn(mail, `${APP_URL}/verify-email?token=`)))).status).toBe(204);
    const signedIn = await new Client(server.url).login(email, PASSWORD);
    expect(signedIn.status).toBe(200);
    // The server log names each outbox file, and never a token.
    const written = jsonLogLines(server.output()).filter((line) => line.event === "mail.written");
    expect(written.length).toBeGreaterThan(0);
    expect(String(written[0]?.file)).toContain(outbox());
    expect(server.output()).not.toContain(tokenOf(linkIn(mail, `${APP_URL}/verify-email`)));
  });

  test("an expired reset link (AUTH_RESET_TTL=1) is refused like a spent one", async () => {
    const email = uniqueEmail("expiring");
    await new Client(server.url).post("/api/auth/register", { email, password: PASSWORD });
    expect((await forgot(server, email)).status).toBe(202);
    const mail = await waitForMessage(sentTo(email, /reset/i));
    const token = tokenOf(linkIn(mail, `${APP_URL}/reset-password?token=`));
    await sleep(1_100);
    await expectError(await reset(server, token), 400, "reset_invalid");
    await expectError(await new Client(server.url).login(email, NEW_PASSWORD), 401, "invalid_credentials");
  });

  test("forgot takes about the same time for known and unknown emails (medians of 20 each)", async () => {
    const known = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const email = uniqueEmail("timing");
        await new Client(server.url).post("/api/auth/register", { email, password: PASSWORD });
        return email;
      }),
    );
    const unknown = Array.from({ length: 20 }, () => uniqueEmail("absent"));
    const times = { known: [] as number[], unknown: [] as number[] };
    for (let i = 0; i < 20; i++) {
      for (const [kind, email] of [["known", known[i]!], ["unknown", unknown[i]!]] as const) {
        const started = performance.now();
        const response = await forgot(server, email);
        times[kind].push(performance.now() - started);
        expect(response.status).toBe(202);
        expect(await response.text()).toBe("{}");
      }
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    // A property, not a speed goal: a database write or a mail render for known emails only would show here.
    expect(Math.abs(median(times.known) - median(times.unknown))).toBeLessThan(Math.max(15, median(times.unknown)));
  });
});

describe("with an SMTP server that hangs, then comes back", () => {
  let server: TestServer;
  let stalled: Awaited<ReturnType<typeof stallingServer>>;
  beforeAll(async () => {
    stalled = await stallingServer();
    server = await startServer({ SMTP_URL: `smtp://127.0.0.1:${stalled.port}`, APP_URL, MAIL_FROM, MAIL_TIMEOUT: "5" });
  });
  afterAll(async () => {
    await server?.stop();
    await stalled?.close();
  });

  test("requests do not wait for the mail server; the failed delivery is retried and arrives once it is back", async () => {
    const account = await registerUser(server); // its verification email goes to the hung server
    const started = performance.now();
    expect((await forgot(server, account.email)).status).toBe(202);
    // Had it waited for the server, it would have taken MAIL_TIMEOUT (5 s) at least.
    expect(performance.now() - started).toBeLessThan(4_000);
    expect((await bearerMe(server, account.client.accessToken)).status).toBe(200);

    const deadline = Date.now() + 20_000;
    while (!jsonLogLines(server.output()).some((line) => line.event === "mail.retry") && Date.now() < deadline) await sleep(100);
    expect(jsonLogLines(server.output()).find((line) => line.event === "mail.retry")).toMatchObject({ level: "warn", attempt: 1 });
    expect(stalled.connections()).toBeGreaterThan(0);

    const port = stalled.port;
    await stalled.close();
    const smtp = await startSmtp({ port });
    try {
      const arrived = (subject: RegExp) => (mail: { to: string[]; parsed: ParsedMail }) =>
        mail.to.includes(account.email) && subject.test(mail.parsed.subject ?? "");
      expectRealMime((await smtp.waitFor(arrived(/reset/i), 40_000)).parsed, account.email);
      await smtp.waitFor(arrived(/confirm/i), 40_000);
    } finally {
      await smtp.close();
    }
  }, 90_000);
});
