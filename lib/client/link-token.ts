"use client";
// The token of a link from an email, read once from the address bar and then removed from it, so it does
// not stay in the history, in a bookmark or in a screenshot of the URL. (Pages that carry one also send
// Referrer-Policy: no-referrer, so it never leaves in a Referer either.)

export function takeLinkToken(): string | null {
  const url = new URL(window.location.href);
  const token = url.searchParams.get("token");
  if (token !== null) {
    url.searchParams.delete("token");
    window.history.replaceState(window.history.state, "", `${url.pathname}${url.search}${url.hash}`);
  }
  return token;
}
