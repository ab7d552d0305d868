"use client";
// The token of a link from an email, read once from the address bar and then removed from it, so it does
// not stay in the history, in a bookmark or in a screenshot of the URL. (Pages that carry one also send
// Referrer-Policy: no-referrer, so it never leaves in a Referer either.)

//
// Read when this module first runs, before the page hydrates: the page was rendered for its URL without the
// token (lib/http/link-token-url.mjs keeps it out of the HTML), and Next.js's router sets the address bar to that URL
// as it starts, which removes the token from it before any component's effect could read it.
const fromAddressBar = typeof window === "undefined" ? null : new URL(window.location.href).searchParams.get("token");
let taken = false;

export function takeLinkToken(): string | null {
  if (taken) return null;
  taken = true;
  const url = new URL(window.location.href);
  if (url.searchParams.has("token")) {
    url.searchParams.delete("token");
    window.history.replaceState(window.history.state, "", `${url.pathname}${url.search}${url.hash}`);
  }
  return fromAddressBar;
}
