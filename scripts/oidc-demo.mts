// `npm run oidc:demo`: the tests' OpenID Provider (oidc-provider with its development login and consent
// pages) on a loopback port, for trying single sign-on by hand. Prints the settings to start the app with.
//   OIDC_DEMO_PORT (default 4400)   where the provider listens
//   APP_URL (default http://localhost:3000)   the app's origin, for the redirect URI it registers
import { startOidcProvider } from "../tests/support/oidc-provider";

const port = Number(process.env.OIDC_DEMO_PORT ?? 4400);
const appUrl = (process.env.APP_URL ?? "http://localhost:3000").replace(/\/$/, "");
const provider = await startOidcProvider({ port, redirectUris: [`${appUrl}/api/auth/oidc/callback`] });
const settings = { ...provider.appSettings(appUrl), AUTH_OIDC_NAME: "Demo provider" };

console.log(`OpenID Provider (development only) at ${provider.issuer}`);
console.log("Start the app in another terminal with:\n");
console.log(`  ${Object.entries(settings).map(([name, value]) => `${name}=${/\s/.test(value) ? `"${value}"` : value}`).join(" ")} npm start\n`);
console.log("At the provider's login page, type an email as the login (any password): it signs in as that");
console.log("verified email. Ctrl-C stops the provider.");
process.on("SIGINT", () => void provider.stop().then(() => process.exit(0)));
