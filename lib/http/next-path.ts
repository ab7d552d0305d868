// Where to send a person after signing in: our own paths only. Pure, so the browser bundle can use it too.

const PLACEHOLDER_ORIGIN = "http://same-origin.invalid";

/**
 * `next` as a same-origin path, or null. Refuses absolute URLs, protocol-relative `//host`, backslash
 * tricks (`/\host`), `javascript:` and control characters, by resolving against a placeholder origin.
 */
export function safeNextPath(next: string | null | undefined): string | null {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return null;
  if (/[\u0000-\u001f\u007f]/.test(next)) return null;
  try {
    const url = new URL(next, PLACEHOLDER_ORIGIN);
    if (url.origin !== PLACEHOLDER_ORIGIN) return null;
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return null;
  }
}

export function loginPath(next: string | null): string {
  return next && next !== "/" ? `/login?next=${encodeURIComponent(next)}` : "/login";
}
