// Single sign-on in Chromium, through a real OpenID Provider's own login and consent pages (oidc-provider
// on a loopback port): sign in, the session on the dashboard, log out of all devices; a cancelled sign-in's
// message; connecting and disconnecting the provider from the dashboard.
import type { Page } from "@playwright/test";
import { startOidcProvider, type TestOidcProvider } from "../tests/support/oidc-provider";
import { freePort, startServer, type TestServer } from "../tests/support/server";
import { EXPIRED_MESSAGE, createAccount, expect, expectDashboard, signIn, test, uniqueEmail } from "./support";

let provider: TestOidcProvider;
let server: TestServer;

test.beforeAll(async () => {
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  provider = await startOidcProvider({ redirectUris: [`${appUrl}/api/auth/oidc/callback`] });
  server = await startServer({ PORT: String(port), ...provider.appSettings(appUrl), AUTH_OIDC_NAME: "Test Provider" });
});
test.afterAll(async () => {
  await server?.stop();
  await provider?.stop();
});

/** The provider's own pages: its login form (any password works there), then its consent page. */
async function signInAtProvider(page: Page, login: string): Promise<void> {
  await page.getByPlaceholder("Enter any login").fill(login);
  await page.getByPlaceholder("and password").fill("any-password");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
}

function personAtProvider(email: string): string {
  const login = `idp-${email.split("@")[0]}`;
  provider.accounts.set(login, { email, email_verified: true });
  return login;
}

test("sign in with the provider, see the session, log out of all devices everywhere", async ({ browser }) => {
  const email = uniqueEmail("sso");
  const login = personAtProvider(email);
  const laptop = await browser.newContext();
  const phone = await browser.newContext();
  const laptopPage = await laptop.newPage();
  const phonePage = await phone.newPage();

  for (const page of [phonePage, laptopPage]) {
    await page.goto(`${server.url}/login`);
    await page.getByRole("button", { name: "Continue with Test Provider" }).click();
    await expect(page).toHaveURL(new RegExp(`^${provider.issuer}/interaction/`));
    await signInAtProvider(page, login);
    await expectDashboard(page, email);
  }
  await expect(laptopPage.getByText("Test Provider").first()).toBeVisible();
  await expect(laptopPage.getByTestId("connected-identity")).toHaveCount(1);
  await expect(laptopPage.getByRole("button", { name: "Revoke" })).toHaveCount(1); // the phone's session

  await laptopPage.getByRole("button", { name: "Log out of all devices" }).click();
  await expect(laptopPage).toHaveURL(/\/login$/);
  await phonePage.goto(`${server.url}/dashboard`);
  await expect(phonePage).toHaveURL(/\/login\?next=%2Fdashboard$/);
  await expect(phonePage.getByRole("status")).toContainText(EXPIRED_MESSAGE);
  await laptop.close();
  await phone.close();
});

test("cancelling at the provider lands on /login with an inline message, signed out", async ({ page }) => {
  await page.goto(`${server.url}/login`);
  await page.getByRole("button", { name: "Continue with Test Provider" }).click();
  await page.getByRole("link", { name: "[ Cancel ]" }).click();
  await expect(page).toHaveURL(/\/login\?error=oidc$/);
  await expect(page.getByRole("alert").filter({ hasText: "Signing in with Test Provider did not complete" })).toBeVisible();
  await page.goto(`${server.url}/dashboard`);
  await expect(page).toHaveURL(/\/login\?next=%2Fdashboard$/);
});

test("connect the provider from the dashboard, sign in with it, then disconnect it", async ({ browser }) => {
  const email = uniqueEmail("connect");
  await createAccount(server, email);
  const login = personAtProvider(uniqueEmail("elsewhere"));
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${server.url}/login`);
  await signIn(page, email);
  await expectDashboard(page, email);

  await page.getByRole("button", { name: "Connect Test Provider" }).click();
  await signInAtProvider(page, login);
  await expect(page).toHaveURL(/\/dashboard\?sso=connected$/);
  await expect(page.getByRole("status").filter({ hasText: "Test Provider is now connected" })).toBeVisible();
  await expect(page.getByTestId("connected-identity")).toHaveCount(1);

  // Another browser signs in to the same account with the provider alone.
  const other = await (await browser.newContext()).newPage();
  await other.goto(`${server.url}/login`);
  await other.getByRole("button", { name: "Continue with Test Provider" }).click();
  await signInAtProvider(other, login);
  await expectDashboard(other, email);

  await page.getByTestId("connected-identity").getByRole("button", { name: "Disconnect" }).click();
  await expect(page.getByTestId("connected-identity")).toHaveCount(0);
});
