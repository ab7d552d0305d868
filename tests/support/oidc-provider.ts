// A real OpenID Provider for the tests and the demo: the `oidc-provider` package (a certified
// implementation) on a loopback port, with one client registered for the app and its development login
// and consent pages. Any login name works at its login page; the accounts below give it an email.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Provider, { type Configuration } from "oidc-provider";
import type { Client } from "./client";

export const OIDC_CLIENT_ID = "keep-signed-in";
export const OIDC_CLIENT_SECRET = "keep-signed-in-test-client-secret-0123456789";

export interface ProviderAccount {
  email?: string;
  email_verified?: boolean;
}

export interface TestOidcProvider {
  issuer: string;
  /** Accounts by login name; a name not here signs in with itself as a verified email if it has an @, else with none. */
  accounts: Map<string, ProviderAccount>;
  /** AUTH_OIDC_* and APP_URL for an app served at `appUrl`. */
  appSettings(appUrl: string): Record<string, string>;
  stop(): Promise<void>;
}

export async function startOidcProvider(options: { port?: number; redirectUris: string[] }): Promise<TestOidcProvider> {
  const accounts = new Map<string, ProviderAccount>();
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const configuration: Configuration = {
    clients: [
      {
        client_id: OIDC_CLIENT_ID,
        client_secret: OIDC_CLIENT_SECRET,
        redirect_uris: options.redirectUris,
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    claims: { openid: ["sub"], email: ["email", "email_verified"] },
    findAccount: (_ctx, id) => ({
      accountId: id,
      // A login name not listed that looks like an email is that (verified) email: handy in the demo.
      claims: () => ({ sub: id, ...(accounts.get(id) ?? (id.includes("@") ? { email: id, email_verified: true } : {})) }),
    }),
    cookies: { keys: ["test-provider-cookie-key-0123456789"] },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
  };
  const provider = new Provider(issuer, configuration);
  // The development pages warn on every start; the tests know they are development pages.
  server.on("request", provider.callback());
  return {
    issuer,
    accounts,
    appSettings: (appUrl) => ({
      APP_URL: appUrl,
      AUTH_OIDC_ISSUER: issuer,
      AUTH_OIDC_CLIENT_ID: OIDC_CLIENT_ID,
      AUTH_OIDC_CLIENT_SECRET: OIDC_CLIENT_SECRET,
    }),
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The action of the one form on a page of the provider, resolved against `base`. */
function formAction(html: string, base: string): string {
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`no form on the provider's page:\n${html.slice(0, 500)}`);
  return new URL(action.replace(/&amp;/g, "&"), base).href;
}

/**
 * Signs in at the provider's own pages as a person would, from the authorization URL the app redirected
 * to: the login form (any password), then the consent form. Returns the app's callback URL, with `code`
 * and `state`, that the provider redirected to. `browser` keeps the provider's cookies (its session).
 */
export async function signInAtProvider(
  authorizationUrl: string,
  login: string,
  browser: Client,
  options: { cancel?: boolean } = {},
): Promise<string> {
  let url = authorizationUrl;
  for (let hop = 0; hop < 10; hop++) {
    const response = await browser.request(url.slice(browser.baseUrl.length));
    if (response.status >= 300 && response.status < 400) {
      const next = new URL(response.headers.get("location")!, url).href;
      if (!next.startsWith(browser.baseUrl)) return next; // back to the app
      url = next;
      continue;
    }
    const html = await response.text();
    if (response.status !== 200) throw new Error(`provider answered ${response.status} at ${url}:\n${html.slice(0, 500)}`);
    if (options.cancel) {
      // The development pages' "[ Cancel ]" link: the provider answers the app with error=access_denied.
      const cancel = /href="([^"]*\/abort)"/.exec(html)?.[1];
      if (!cancel) throw new Error("no cancel link on the provider's page");
      url = new URL(cancel, url).href;
      continue;
    }
    const action = formAction(html, url);
    const fields: Record<string, string> = html.includes('name="login"')
      ? { prompt: "login", login, password: "any-password" }
      : { prompt: "consent" };
    const submitted = await browser.request(action.slice(browser.baseUrl.length), {
      method: "POST",
      body: new URLSearchParams(fields).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    if (submitted.status < 300 || submitted.status >= 400) {
      throw new Error(`provider answered ${submitted.status} to its form:\n${(await submitted.text()).slice(0, 500)}`);
    }
    url = new URL(submitted.headers.get("location")!, action).href;
    if (!url.startsWith(browser.baseUrl)) return url;
  }
  throw new Error("too many redirects at the provider");
}

