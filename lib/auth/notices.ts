// What the account's owner is told by email, as plain data. The service decides when a notice is due; the
// mail component (lib/mail) renders and sends it. A notice that carries a link's token goes nowhere else:
// it is never logged, and its type has no field a log entry shares.

/** When and from where something happened to the account: the request's time, address and user agent. */
export interface NoticeSource {
  at: Date;
  ip: string | null;
  userAgent: string | null;
}

export type AccountNotice =
  | { kind: "password_reset_link"; to: string; token: string; expiresAt: Date }
  | { kind: "verify_email_link"; to: string; token: string; expiresAt: Date }
  | ({ kind: "new_device"; to: string } & NoticeSource)
  | ({ kind: "password_changed"; to: string; how: "changed" | "reset" } & NoticeSource)
  | ({ kind: "refresh_reused"; to: string } & NoticeSource);

/** Hands a notice over for delivery. Never throws and never waits for the mail server. */
export type Notify = (notice: AccountNotice) => void;

export const silentNotify: Notify = () => {};
