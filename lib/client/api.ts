"use client";
// The one way the browser calls the API. On a 401 it refreshes once and retries; concurrent 401s share one
// refresh, across tabs too (a Web Lock); when the session has truly ended it goes to the login page.
import { loginPath } from "../http/next-path";
import { announceSignedOut } from "./auth-channel";

const REFRESH_LOCK = "auth-refresh";
const LAST_REFRESH_KEY = "auth:last-refresh";
/** A refresh another tab finished this recently already covers us: the cookie jar is shared. */
const RECENT_REFRESH_MS = 2_000;

export class SessionEndedError extends Error {
  constructor() {
    super("The session has ended");
  }
}

/** "ended": the server refused the refresh token (403); "unavailable": try again later (429, 503, offline). */
type RefreshOutcome = "refreshed" | "ended" | "unavailable";

let refreshInFlight: Promise<RefreshOutcome> | null = null;

async function refreshNow(): Promise<RefreshOutcome> {
  const last = Number(localStorage.getItem(LAST_REFRESH_KEY) ?? 0);
  if (Date.now() - last < RECENT_REFRESH_MS) return "refreshed";
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

export async function apiFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const send = () =>
    fetch(path, {
      ...init,
      credentials: "same-origin",
      headers: { ...(init.body ? { "Content-Type": "application/json" } : {}), ...init.headers },
    });
  const response = await send();
  if (response.status !== 401) return response;
  const outcome = await refreshSession();
  if (outcome === "unavailable") throw new Error("The service is briefly unavailable. Please try again.");
  const retried = outcome === "refreshed" ? await send() : response;
  if (retried.status === 401) {
    goToLogin();
    throw new SessionEndedError();
  }
  return retried;
}

/** Ends this session (or all of them) and tells the other tabs of this browser. */
export async function signOut(everywhere: boolean): Promise<void> {
  await apiFetch(everywhere ? "/api/auth/logout-all" : "/api/auth/logout", { method: "POST" });
  announceSignedOut();
  window.location.assign("/login");
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
