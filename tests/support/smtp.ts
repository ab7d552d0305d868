// A real SMTP server on a loopback port for the tests (the `smtp-server` package): it receives what the app
// sends, parses each message with `mailparser`, and can be told to refuse recipients or data like a server
// that rejects mail. `stallingServer` accepts connections and never says a word, like a hung server.
import { createServer, type Server, type Socket } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  /** The envelope's recipients. */
  to: string[];
  raw: string;
  parsed: ParsedMail;
}

export interface SmtpOptions {
  /** A reply code (e.g. 550) for every RCPT TO. */
  refuseRecipients?: number;
  /** A reply code for every DATA. */
  refuseData?: number;
  /** Listen on this port (a server coming back); a free one otherwise. */
  port?: number;
}

export interface TestSmtp {
  port: number;
  url: string;
  received: ReceivedMail[];
  /** RCPT TO commands seen, accepted or not. */
  recipientAttempts: number;
  /** Waits until `predicate` matches a received message; fails after `timeoutMs`. */
  waitFor(predicate: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

function smtpError(code: number): Error {
  return Object.assign(new Error(`refused by the test server (${code})`), { responseCode: code });
}

export async function startSmtp(options: SmtpOptions = {}): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  const state = { recipientAttempts: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onRcptTo(_address, _session, callback) {
      state.recipientAttempts++;
      callback(options.refuseRecipients ? smtpError(options.refuseRecipients) : undefined);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        if (options.refuseData) return callback(smtpError(options.refuseData));
        const raw = Buffer.concat(chunks).toString("utf8");
        void simpleParser(raw).then((parsed) => {
          received.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address), raw, parsed });
          callback();
        }, callback);
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve((server.server.address() as { port: number }).port));
  });
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    get recipientAttempts() {
      return state.recipientAttempts;
    },
    async waitFor(predicate, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching message within ${timeoutMs} ms (received ${received.length})`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Accepts TCP connections and never answers: a mail server that hangs before its greeting. */
export async function stallingServer(): Promise<{ port: number; connections: () => number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
  });
  const port = await new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)));
  return {
    port,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on: connections to it are refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)));
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The link in a message's text part that starts with `prefix` (e.g. APP_URL/reset-password?token=). */
export function linkIn(mail: ParsedMail, prefix: string): string {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const match = new RegExp(`${escaped}[^\\s<>"]*`).exec(mail.text ?? "");
  if (!match) throw new Error(`no link starting with ${prefix} in:\n${mail.text}`);
  return match[0];
}

export function tokenOf(link: string): string {
  const token = new URL(link).searchParams.get("token");
  if (!token) throw new Error(`no token in ${link}`);
  return token;
}
