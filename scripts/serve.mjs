// The HTTP server of `npm start`: Next.js's request handler inside a plain Node.js server, so that the app
// knows each connection's own address. `next start` hands route handlers only the headers, where a
// client can write any X-Forwarded-For it likes; this server writes the TCP peer's address into a header
// whose name is random per process (the app learns it from KSI_PEER_HEADER, which this file sets), and
// removes any incoming header of that name first. The app then believes X-Forwarded-For only through
// the proxies AUTH_TRUSTED_PROXIES names (lib/http/proxy-trust.mjs; README, "Client addresses").
// Started by scripts/start.mjs after migrations; run alone it behaves the same.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { takeLinkTokenOutOfUrl } from "../lib/http/link-token-url.mjs";
import { proxyTrust } from "../lib/http/proxy-trust.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dev = process.argv.includes("--dev");
process.env.NODE_ENV ||= dev ? "development" : "production"; // what `next start` and `next dev` do
const peerHeader = `x-ksi-peer-${randomBytes(12).toString("hex")}`;
process.env.KSI_PEER_HEADER = peerHeader;

try {
  proxyTrust(process.env.AUTH_TRUSTED_PROXIES);
} catch (error) {
  console.error(`\n${error.message}\n`);
  process.exit(1);
}

const { default: next } = await import("next");
const port = Number(process.env.PORT || 3000);
const bind = process.env.HOSTNAME_BIND || undefined; // undefined: every interface, as `next start`
const app = next({ dev, dir: root, port, hostname: bind ?? "localhost" });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((request, response) => {
  delete request.headers[peerHeader];
  request.headers[peerHeader] = request.socket.remoteAddress ?? "";
  takeLinkTokenOutOfUrl(request); // so that no page holds an emailed link's token
  void handle(request, response);
});
if (dev) server.on("upgrade", app.getUpgradeHandler()); // hot reload in `npm run dev`

server.listen(port, bind, () => {
  console.log(`Ready on http://${bind ?? "localhost"}:${port}`);
});

// Stop accepting, let requests in flight finish, then exit; a second signal exits at once.
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    server.close(() => void app.close().finally(() => process.exit(0)));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5_000).unref();
  });
}
