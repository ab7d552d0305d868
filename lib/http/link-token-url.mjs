// Next.js writes the URL it renders into the page it sends (its router state), so a page rendered for
// `/reset-password?token=…` would hold the emailed link's token. `npm start`'s server (scripts/serve.mjs)
// therefore moves the token into a header and has the page rendered for its URL without it: the page
// checks the link from the header, and the browser's script reads the token from the address bar
// (lib/client/link-token.ts). Plain JavaScript, so the server script and the page share this one name.

/** The pages an emailed link opens; the link carries its token as `?token=`. */
const LINK_PAGES = new Set(["/reset-password", "/verify-email"]);

export const LINK_TOKEN_HEADER = "x-ksi-link-token";

/** Rewrites a Node.js request in place; a header of that name sent by the client is always dropped. */
export function takeLinkTokenOutOfUrl(request) {
  delete request.headers[LINK_TOKEN_HEADER];
  if (request.method !== "GET" && request.method !== "HEAD") return;
  const url = new URL(request.url ?? "/", "http://localhost");
  const token = url.searchParams.get("token");
  if (token === null || !LINK_PAGES.has(url.pathname)) return;
  url.searchParams.delete("token");
  request.headers[LINK_TOKEN_HEADER] = token;
  request.url = `${url.pathname}${url.search}`;
}
