// Next.js writes the URL it renders into what it sends (its router state in a page, the target of its
// trailing-slash redirect), so a page asked for as `/reset-password?token=…` would hold the emailed link's
// token. `npm start`'s server (scripts/serve.mjs) therefore moves a `token` parameter of any request that is
// not an API call into a header before Next.js sees it: the reset page checks the link from the header, and
// the browser's script reads the token from the address bar (lib/client/link-token.ts). No page but those
// two reads a token, so taking it off every page's URL, whatever spelling of the path, loses nothing.
// Plain JavaScript, so the server script and the page share this one name.

export const LINK_TOKEN_HEADER = "x-ksi-link-token";

/** Rewrites a Node.js request in place; a header of that name sent by the client is always dropped. */
export function takeLinkTokenOutOfUrl(request) {
  delete request.headers[LINK_TOKEN_HEADER];
  if (request.method !== "GET" && request.method !== "HEAD") return;
  const url = request.url ?? "/";
  const query = url.indexOf("?");
  // Most requests have no query string, and API routes render no page: neither is parsed.
  if (query < 0 || url.startsWith("/api/")) return;
  const params = new URLSearchParams(url.slice(query + 1));
  const token = params.get("token");
  if (token === null) return;
  params.delete("token");
  request.headers[LINK_TOKEN_HEADER] = token;
  const rest = params.toString();
  // The path is kept exactly as sent (a URL parser would read `//host/…` as another host).
  request.url = rest ? `${url.slice(0, query)}?${rest}` : url.slice(0, query);
}
