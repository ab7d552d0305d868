// Sending never blocks or fails the request that caused it: a message joins an in-process queue of bounded
// length and is delivered in the background, a few at a time. A failed delivery is tried again after
// growing pauses; what still fails is logged as lost (kind and reason, never the body with its link).
import type { RenderedMail } from "./messages";
import type { MailTransport } from "./transport";

export interface MailLogEntry {
  event: "mail_sent" | "mail_written" | "mail_retry" | "mail_lost" | "mail_dropped";
  level: "info" | "warn" | "error";
  kind: RenderedMail["kind"];
  attempt?: number;
  /** The outbox file (its name holds no token). */
  file?: string;
  /** The failure: an error code and the SMTP reply code, never free text that could echo the message. */
  reason?: string;
  retryInMs?: number;
}

export interface MailQueueOptions {
  transport: MailTransport;
  log: (entry: MailLogEntry) => void;
  /** Messages waiting, being delivered or waiting for a retry, together. */
  maxQueued?: number;
  /** Deliveries at once. */
  concurrency?: number;
  /** The pause before each retry; its length is the number of retries. */
  retryDelaysMs?: readonly number[];
}

export const MAIL_QUEUE_LENGTH = 1000;
export const MAIL_CONCURRENCY = 4;
export const MAIL_RETRY_DELAYS_MS = [1_000, 3_000, 9_000] as const;

interface Job {
  mail: RenderedMail;
  attempt: number;
}

function reasonOf(error: unknown): string {
  if (typeof error !== "object" || error === null) return "unknown";
  const { code, responseCode, command } = error as { code?: unknown; responseCode?: unknown; command?: unknown };
  return [code, responseCode, command].filter((part) => typeof part === "string" || typeof part === "number").join(" ") || "unknown";
}

export class MailQueue {
  private readonly transport: MailTransport;
  private readonly log: (entry: MailLogEntry) => void;
  private readonly maxQueued: number;
  private readonly concurrency: number;
  private readonly retryDelaysMs: readonly number[];
  private readonly ready: Job[] = [];
  private active = 0;
  private waiting = 0;
  private readonly drained = new Set<() => void>();

  constructor(options: MailQueueOptions) {
    this.transport = options.transport;
    this.log = options.log;
    this.maxQueued = options.maxQueued ?? MAIL_QUEUE_LENGTH;
    this.concurrency = options.concurrency ?? MAIL_CONCURRENCY;
    this.retryDelaysMs = options.retryDelaysMs ?? MAIL_RETRY_DELAYS_MS;
  }

  /** Messages not yet delivered or given up. */
  get length(): number {
    return this.ready.length + this.active + this.waiting;
  }

  /** Queues `mail`; false (and logged) when the queue is full. Returns at once. */
  send(mail: RenderedMail): boolean {
    if (this.length >= this.maxQueued) {
      this.log({ event: "mail_dropped", level: "error", kind: mail.kind, reason: "queue_full" });
      return false;
    }
    this.ready.push({ mail, attempt: 1 });
    this.pump();
    return true;
  }

  /** Resolves once nothing is queued, being delivered or waiting for a retry. */
  idle(): Promise<void> {
    if (this.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.drained.add(resolve));
  }

  private pump(): void {
    while (this.active < this.concurrency && this.ready.length > 0) {
      const job = this.ready.shift()!;
      this.active++;
      void this.deliver(job).finally(() => {
        this.active--;
        this.pump();
        this.notifyIfIdle();
      });
    }
  }

  private async deliver(job: Job): Promise<void> {
    const { kind } = job.mail;
    try {
      const { file } = await this.transport.deliver(job.mail);
      if (file) this.log({ event: "mail_written", level: "info", kind, file });
      else this.log({ event: "mail_sent", level: "info", kind, attempt: job.attempt });
    } catch (error) {
      const reason = reasonOf(error);
      const delay = this.retryDelaysMs[job.attempt - 1];
      if (delay === undefined) {
        this.log({ event: "mail_lost", level: "error", kind, attempt: job.attempt, reason });
        return;
      }
      this.log({ event: "mail_retry", level: "warn", kind, attempt: job.attempt, reason, retryInMs: delay });
      this.waiting++;
      setTimeout(() => {
        this.waiting--;
        this.ready.push({ mail: job.mail, attempt: job.attempt + 1 });
        this.pump();
      }, delay).unref();
    }
  }

  private notifyIfIdle(): void {
    if (this.length > 0) return;
    for (const resolve of this.drained) resolve();
    this.drained.clear();
  }
}
