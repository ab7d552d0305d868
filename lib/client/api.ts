"use client";
// The one way the browser calls the API. On a 401 it refreshes once and retries; concurrent 401s share one
// refresh, across tabs too (a Web Lock); when the session has truly ended it goes to the login page. A
// request made for the account a page shows carries its id, and a page whose account is no longer the
// signed-in one reloads.
import { EXPECTED_ACCOUNT_HEADER } from "../http/expected-account";
import { loginPath } from "../http/next-path";
import { announceSignedOut } from "./auth-channel";
import { refreshedRecently } from "./recent-refresh";

const REFRESH_LOCK = "auth-refresh";
const LAST_REFRESH_KEY = "auth:last-refresh";

/** The page is being left (to the login page, or reloaded for another account): nothing to show. */
export class SessionEndedError extends Error {
  constructor(message = "The session has ended") {
    super(message);
  }
}

/** "ended": the server refused the refresh token (403); "unavailable": try again later (429, 503, offline). */
type RefreshOutcome = "refreshed" | "ended" | "unavailable";

let refreshInFlight: Promise<RefreshOutcome> | null = null;

async function refreshNow(): Promise<RefreshOutcome> {
  if (refreshedRecently(localStorage.getItem(LAST_REFRESH_KEY), Date.now())) return "refreshed";
  try {
    const response = await fetch("/api/auth/refresh", { method: "POST", credentials: "same-origin" });
    if (response.ok) localStorage.setItem(LAST_REFRESH_KEY, String(Date.now()));
    return response.ok ? "refreshed" : response.status === 403 ? "ended" : "unavailable";
  } catch {
    return "unavailable";
  }
}

/** One refresh for all callers of this tab, serialised with other tabs by a Web Lock where available. */
export function refreshSession(): Promise<RefreshOutcome> {
  if (!refreshInFlight) {
    const refreshing: Promise<RefreshOutcome> = navigator.locks
      ? navigator.locks.request(REFRESH_LOCK, refreshNow).then((refreshed) => refreshed)
      : refreshNow();
    refreshInFlight = refreshing.finally(() => {
      refreshInFlight = null;
    });
  }
  return refreshInFlight;
}

export function goToLogin(): void {
  window.location.assign(loginPath(`${window.location.pathname}${window.location.search}`));
}

export interface ApiInit extends RequestInit {
  /** The id of the account the page was rendered for: the server refuses the request for any other. */
  account?: string;
}

export async function apiFetch(path: string, { account, ...init }: ApiInit = {}): Promise<Response> {
  const send = () =>
    fetch(path, {
      ...init,
      credentials: "same-origin",
      headers: {
        ...(init.body ? { "Content-Type": "application/json" } : {}),
        ...(account ? { [EXPECTED_ACCOUNT_HEADER]: account } : {}),
        ...init.headers,
      },
    });
  let response = await send();
  if (response.status === 401) {
    const outcome = await refreshSession();
    if (outcome === "unavailable") throw new Error("The service is briefly unavailable. Please try again.");
    if (outcome === "refreshed") response = await send();
    if (response.status === 401) {
      goToLogin();
      throw new SessionEndedError();
    }
  }
  if (response.status === 409 && (await errorCode(response)) === "account_changed") {
    window.location.reload();
    throw new SessionEndedError("Another account signed in");
  }
  return response;
}

/**
 * Ends this session (or all of them) of `account`, then tells the other tabs of this browser. A refused
 * or failed request throws its message and tells nobody: the page stays, still signed in.
 */
export async function signOut(everywhere: boolean, account: string): Promise<void> {
  const response = await apiFetch(everywhere ? "/api/auth/logout-all" : "/api/auth/logout", { method: "POST", account });
  if (!response.ok) throw new Error(await errorMessage(response));
  announceSignedOut();
  window.location.assign("/login");
}

async function errorCode(response: Response): Promise<unknown> {
  try {
    return ((await response.clone().json()) as { error?: unknown }).error;
  } catch {
    return undefined;
  }
}

/** A JSON POST for the signed-out pages (no session to refresh; apiFetch is for signed-in calls). */
export function postJson(path: string, body: unknown): Promise<Response> {
  return fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

/** The message of an API error body, for showing inline. */
export async function errorMessage(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { message?: unknown };
    if (typeof body.message === "string") return body.message;
  } catch {
    // not JSON
  }
  return "Something went wrong. Please try again.";
}
