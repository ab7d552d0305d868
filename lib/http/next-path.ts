// Where to send a person after signing in: our own paths only. Pure, so the browser bundle can use it too.

const PLACEHOLDER_ORIGIN = "http://same-origin.invalid";

/** Where a person lands after signing in when nothing else is asked for. */
export const DEFAULT_LANDING_PATH = "/dashboard";

/** The refresh hop: rotates the refresh cookie and comes back to `next` (README, "How it works in the browser"). */
export function refreshHopPath(next: string): string {
  return `/api/auth/refresh?next=${encodeURIComponent(next)}`;
}

/**
 * `next` as a same-origin path, or null. Judged on what a browser makes of it: the value is normalised
 * by WHATWG URL (`/..//evil.example` becomes `//evil.example`, `%2e%2e` is `..`, `\` is `/`), and it is
 * the normalised result that must be a plain path: one `/` not followed by `/` or `\`, resolving to the
 * same origin, and unchanged when resolved again. Control characters (which URL parsers drop) are refused,
 * and so is any `/api/` path: `next` names a page, and the refresh hop pointing at itself would loop.
 */
export function safeNextPath(next: string | null | undefined): string | null {
  if (typeof next !== "string" || !isPlainPath(next) || /[\u0000-\u001f\u007f]/.test(next)) return null;
  const path = normalise(next);
  if (path === null || !isPlainPath(path) || normalise(path) !== path || namesApi(path)) return null;
  return path;
}

/** `/api`, `/api/…`, in any case or percent-encoding of the segment (undecodable counts as API too). */
function namesApi(path: string): boolean {
  const segment = path.slice(1).split(/[/?#]/, 1)[0] ?? "";
  try {
    return decodeURIComponent(segment).toLowerCase() === "api";
  } catch {
    return true;
  }
}

/** Starts with exactly one `/`: not protocol-relative (`//host`) and not `/\host`, which browsers read as `//host`. */
function isPlainPath(value: string): boolean {
  return value.startsWith("/") && value[1] !== "/" && value[1] !== "\\";
}

/** The path, query and fragment a browser would request for `value`, or null when it leaves our origin. */
function normalise(value: string): string | null {
  try {
    const url = new URL(value, PLACEHOLDER_ORIGIN);
    return url.origin === PLACEHOLDER_ORIGIN ? `${url.pathname}${url.search}${url.hash}` : null;
  } catch {
    return null;
  }
}

export function loginPath(next: string | null): string {
  return next && next !== "/" ? `/login?next=${encodeURIComponent(next)}` : "/login";
}
