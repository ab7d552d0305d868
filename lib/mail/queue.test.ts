// The mail component against real servers on loopback ports: a working SMTP server, one that is down
// (connection refused), one that stalls after accepting, and one that refuses with 5xx on RCPT or DATA.
// Sending returns at once in every case; failures are retried after pauses, and the final loss is logged.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { simpleParser } from "mailparser";
import { afterEach, describe, expect, it } from "vitest";
import { closedPort, linkIn, startSmtp, stallingServer, tokenOf } from "../../tests/support/smtp";
import { renderNotice } from "./messages";
import { MailQueue, type MailLogEntry } from "./queue";
import { outboxTransport, smtpTransport } from "./transport";

const FROM = "Keep Signed In <no-reply@keep.test>";
const APP_URL = "https://app.keep.test";
const TOKEN = "x".repeat(43);
const resetMail = (to = "ann@example.com") =>
  renderNotice({ kind: "password_reset_link", to, token: TOKEN, expiresAt: new Date(Date.now() + 1_800_000) }, APP_URL);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function queueFor(url: string, entries: MailLogEntry[], timeoutMs = 5_000) {
  return new MailQueue({ transport: smtpTransport(url, FROM, timeoutMs), log: (entry) => entries.push(entry), retryDelaysMs: [50, 100] });
}

describe("mail over SMTP", () => {
  it("delivers real MIME: text and HTML parts, From, the link on APP_URL only", async () => {
    const smtp = await startSmtp();
    cleanups.push(() => smtp.close());
    const entries: MailLogEntry[] = [];
    const queue = queueFor(smtp.url, entries);
    expect(queue.send(resetMail())).toBe(true);
    await queue.idle();
    const [mail] = smtp.received;
    expect(mail?.to).toEqual(["ann@example.com"]);
    expect(mail?.parsed.from?.value).toEqual([{ name: "Keep Signed In", address: "no-reply@keep.test" }]);
    expect(mail?.parsed.subject).toMatch(/reset/i);
    expect(mail?.parsed.text).toContain(`${APP_URL}/reset-password?token=${TOKEN}`);
    expect(mail?.parsed.html).toContain(`href="${APP_URL}/reset-password?token=${TOKEN}"`);
    expect(tokenOf(linkIn(mail!.parsed, `${APP_URL}/reset-password`))).toBe(TOKEN);
    expect(mail?.raw).toMatch(/Content-Type: multipart\/alternative/i);
    expect(entries).toEqual([{ event: "mail_sent", level: "info", kind: "password_reset_link", attempt: 1 }]);
  });

  it("returns at once when the server is down, retries with pauses, then logs the loss without the token", async () => {
    const entries: MailLogEntry[] = [];
    const queue = queueFor(`smtp://127.0.0.1:${await closedPort()}`, entries);
    const started = performance.now();
    queue.send(resetMail());
    expect(performance.now() - started).toBeLessThan(50); // nothing waited for the server
    await queue.idle();
    expect(entries.map((entry) => [entry.event, entry.attempt, entry.retryInMs])).toEqual([
      ["mail_retry", 1, 50],
      ["mail_retry", 2, 100],
      ["mail_lost", 3, undefined],
    ]);
    expect(entries[2]?.reason).toMatch(/ESOCKET|ECONNECTION/);
    expect(JSON.stringify(entries)).not.toContain(TOKEN);
    expect(JSON.stringify(entries)).not.toContain("ann@example.com");
  });

  it("gives up on a server that accepts and then stalls, after the timeout, on every attempt", async () => {
    const stalled = await stallingServer();
    cleanups.push(() => stalled.close());
    const entries: MailLogEntry[] = [];
    const queue = queueFor(`smtp://127.0.0.1:${stalled.port}`, entries, 300);
    queue.send(resetMail());
    await queue.idle();
    expect(stalled.connections()).toBe(3);
    expect(entries.map((entry) => entry.event)).toEqual(["mail_retry", "mail_retry", "mail_lost"]);
    expect(entries[2]?.reason).toMatch(/ETIMEDOUT/);
  });

  it.each([
    ["RCPT TO", { refuseRecipients: 550 }, 550],
    ["DATA", { refuseData: 554 }, 554],
  ] as const)("retries a server that refuses %s with 5xx, then logs the loss with the reply code", async (_command, refusal, code) => {
    const smtp = await startSmtp(refusal);
    cleanups.push(() => smtp.close());
    const entries: MailLogEntry[] = [];
    const queue = queueFor(smtp.url, entries);
    queue.send(resetMail());
    await queue.idle();
    expect(smtp.recipientAttempts).toBe(3);
    expect(smtp.received).toHaveLength(0);
    expect(entries.map((entry) => entry.event)).toEqual(["mail_retry", "mail_retry", "mail_lost"]);
    expect(entries[2]?.reason).toContain(String(code));
  });

  it("delivers a message once the server comes back within the retries", async () => {
    const port = await closedPort();
    const entries: MailLogEntry[] = [];
    const queue = new MailQueue({
      transport: smtpTransport(`smtp://127.0.0.1:${port}`, FROM, 500),
      log: (entry) => entries.push(entry),
      retryDelaysMs: [300],
    });
    queue.send(resetMail());
    while (entries.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const smtp = await startSmtp({ port });
    cleanups.push(() => smtp.close());
    await queue.idle();
    expect(smtp.received).toHaveLength(1);
    expect(entries.map((entry) => entry.event)).toEqual(["mail_retry", "mail_sent"]);
  });

  it("keeps at most its bound: beyond it a message is dropped and logged, never waited for", async () => {
    const stalled = await stallingServer();
    cleanups.push(() => stalled.close());
    const entries: MailLogEntry[] = [];
    const queue = new MailQueue({
      transport: smtpTransport(`smtp://127.0.0.1:${stalled.port}`, FROM, 300),
      log: (entry) => entries.push(entry),
      maxQueued: 5,
      concurrency: 2,
      retryDelaysMs: [],
    });
    const accepted = Array.from({ length: 8 }, (_, i) => queue.send(resetMail(`user${i}@example.com`)));
    expect(accepted).toEqual([true, true, true, true, true, false, false, false]);
    expect(queue.length).toBe(5);
    await queue.idle();
    expect(entries.filter((entry) => entry.event === "mail_dropped")).toHaveLength(3);
    expect(entries.filter((entry) => entry.event === "mail_lost")).toHaveLength(5);
  });
});

describe("the outbox", () => {
  it("writes each message as one parseable RFC 5322 file, names sorting by time", async () => {
    const folder = path.join(mkdtempSync(path.join(tmpdir(), "outbox-")), "outbox");
    cleanups.push(() => rmSync(path.dirname(folder), { recursive: true, force: true }));
    const entries: MailLogEntry[] = [];
    const queue = new MailQueue({ transport: outboxTransport(folder, FROM), log: (entry) => entries.push(entry), concurrency: 1 });
    for (let i = 0; i < 12; i++) queue.send(resetMail(`user${i}@example.com`));
    await queue.idle();
    const files = readdirSync(folder);
    expect(files).toHaveLength(12);
    expect(files.every((name) => name.endsWith(".eml"))).toBe(true);
    const recipients = [];
    for (const name of [...files].sort()) {
      const raw = readFileSync(path.join(folder, name), "utf8");
      expect(raw).toContain("\r\n"); // CRLF line ends, as RFC 5322 has them
      const parsed = await simpleParser(raw);
      expect(parsed.from?.value).toEqual([{ name: "Keep Signed In", address: "no-reply@keep.test" }]);
      expect(parsed.text).toContain(`${APP_URL}/reset-password?token=`);
      expect(parsed.html).toContain(`${APP_URL}/reset-password?token=`);
      recipients.push(parsed.to && !Array.isArray(parsed.to) ? parsed.to.text : "");
    }
    expect(recipients).toEqual(Array.from({ length: 12 }, (_, i) => `user${i}@example.com`));
    // The log names the file, never the link or its token.
    expect(entries.map((entry) => entry.event)).toEqual(Array(12).fill("mail_written"));
    expect(entries.every((entry) => entry.file?.startsWith(folder))).toBe(true);
    expect(JSON.stringify(entries)).not.toContain(TOKEN);
  });

  it("makes the folder again when it was removed between two messages", async () => {
    const folder = path.join(mkdtempSync(path.join(tmpdir(), "outbox-test-")), "outbox");
    cleanups.push(() => rmSync(path.dirname(folder), { recursive: true, force: true }));
    const transport = outboxTransport(folder, FROM);
    await transport.deliver(resetMail());
    rmSync(folder, { recursive: true });
    const { file } = await transport.deliver(resetMail("bob@example.com"));
    expect(readdirSync(folder)).toEqual([path.basename(file!)]);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
  });
});
