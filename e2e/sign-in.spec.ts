// Signing in, moving around, signing out: the default lifetimes, so access tokens stay valid throughout.
import { createAccount, expect, expectDashboard, EXPIRED_MESSAGE, signIn, test, uniqueEmail, serverForFile, signInNewAccount } from "./support";

const server = serverForFile({});

test("first login: the login form signs a new person in and shows their dashboard", async ({ page }) => {
  const email = uniqueEmail("first");
  await createAccount(server(), email);
  await page.goto(`${server().url}/login`);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await expect(page.getByLabel("Email")).toHaveAttribute("autocomplete", "username");
  await expect(page.getByLabel("Password")).toHaveAttribute("autocomplete", "current-password");
  await expect(page.getByRole("status")).toHaveCount(0);

  await signIn(page, email);
  await expectDashboard(page, email);
  const sessions = page.getByTestId("session");
  await expect(sessions).toHaveCount(1);
  await expect(sessions.first()).toContainText("This device");
});

test("a wrong password is reported inline and the person stays on the login page", async ({ page }) => {
  const email = uniqueEmail("wrong");
  await createAccount(server(), email);
  await page.goto(`${server().url}/login`);
  await signIn(page, email, "not the password");
  await expect(page.getByRole("alert").filter({ hasText: "incorrect" })).toHaveText(
    "The email or password is incorrect.",
  );
  await expect(page).toHaveURL(/\/login$/);
});

test("registering from the sign-up page signs the person in on the dashboard", async ({ page }) => {
  const email = uniqueEmail("register");
  await page.goto(`${server().url}/register`);
  await expect(page.getByLabel("Password")).toHaveAttribute("autocomplete", "new-password");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("a long passphrase");
  await page.getByRole("button", { name: "Create account" }).click();
  await expectDashboard(page, email);
});

test("navigation while the access token is valid renders pages without any refresh", async ({ page }) => {
  const email = await signInNewAccount(page, server(), "navigate");

  const refreshes: string[] = [];
  page.on("request", (request) => {
    if (request.url().includes("/api/auth/refresh")) refreshes.push(request.url());
  });
  await page.goto(`${server().url}/`);
  await expectDashboard(page, email);
  await page.goto(`${server().url}/login`);
  await expectDashboard(page, email); // a signed-in visitor is sent on to the dashboard
  await page.reload();
  await expectDashboard(page, email);
  expect(refreshes).toEqual([]);
});

test("a signed-out visit to /dashboard ends on the login page, without protected content or a message", async ({ page }) => {
  const first = await page.request.get(`${server().url}/dashboard`, { maxRedirects: 0 });
  expect(first.status()).toBe(307);
  expect(await first.text()).not.toContain("Your account");

  await page.goto(`${server().url}/dashboard`);
  await expect(page).toHaveURL(`${server().url}/login?next=%2Fdashboard`);
  await expect(page.getByText(EXPIRED_MESSAGE)).toHaveCount(0);
});

test("a browser that never signed in, or logged out, is not told its session expired after a refresh it sent is refused", async ({ page }) => {
  const strayRefresh = () =>
    page.evaluate(async () => (await fetch("/api/auth/refresh", { method: "POST" })).status);
  await page.goto(`${server().url}/login`);
  expect(await strayRefresh()).toBe(403); // refresh_missing: it never had a session
  await page.goto(`${server().url}/dashboard`);
  await expect(page).toHaveURL(`${server().url}/login?next=%2Fdashboard`);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page.getByText(EXPIRED_MESSAGE)).toHaveCount(0);

  await signInNewAccount(page, server(), "stray-refresh");
  await page.getByRole("button", { name: "Log out", exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);
  expect(await strayRefresh()).toBe(403);
  await page.goto(`${server().url}/dashboard`);
  await expect(page).toHaveURL(/\/login\?next=%2Fdashboard$/);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page.getByText(EXPIRED_MESSAGE)).toHaveCount(0);
});

test("a `next` pointing off-site is ignored and the person stays on our origin", async ({ page }) => {
  test.slow(); // seven sign-ins in a row
  const email = uniqueEmail("next");
  await createAccount(server(), email);
  const offSite = ["//evil.example/steal", "https://evil.example/", "javascript:alert(1)", "/\\evil.example", "/..//evil.example/", "/.//evil.example", "/%2e%2e//evil.example"];
  for (const next of offSite) {
    await page.context().clearCookies();
    await page.goto(`${server().url}/login?next=${encodeURIComponent(next)}`);
    await signIn(page, email);
    await expectDashboard(page, email);
    expect(new URL(page.url()).origin).toBe(server().url);
  }
});

test("logout returns to the login page without the expired message, and the dashboard stays closed", async ({ page }) => {
  await signInNewAccount(page, server(), "logout");

  await page.getByRole("button", { name: "Log out", exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByText(EXPIRED_MESSAGE)).toHaveCount(0);
  await page.goto(`${server().url}/dashboard`);
  await expect(page).toHaveURL(/\/login\?next=%2Fdashboard$/);
  await expect(page.getByText(EXPIRED_MESSAGE)).toHaveCount(0);
});

test("log out of all devices in one browser signs the other out on its next navigation", async ({ browser }) => {
  const email = uniqueEmail("everywhere");
  await createAccount(server(), email);
  const laptop = await browser.newContext();
  const phone = await browser.newContext();
  const laptopPage = await laptop.newPage();
  const phonePage = await phone.newPage();
  for (const page of [laptopPage, phonePage]) {
    await page.goto(`${server().url}/login`);
    await signIn(page, email);
    await expectDashboard(page, email);
  }

  await laptopPage.getByRole("button", { name: "Log out of all devices" }).click();
  await expect(laptopPage).toHaveURL(/\/login$/);
  await expect(laptopPage.getByText(EXPIRED_MESSAGE)).toHaveCount(0);

  // The phone's access token has not expired: only the server-side session check can refuse it.
  await phonePage.goto(`${server().url}/dashboard`);
  await expect(phonePage).toHaveURL(/\/login\?next=%2Fdashboard$/);
  await expect(phonePage.getByRole("status")).toContainText(EXPIRED_MESSAGE);
  await laptop.close();
  await phone.close();
});

test("other tabs of the same browser leave the dashboard when one tab logs out of all devices", async ({ context }) => {
  const email = uniqueEmail("tabs-out");
  await createAccount(server(), email);
  const first = await context.newPage();
  await first.goto(`${server().url}/login`);
  await signIn(first, email);
  await expectDashboard(first, email);
  const second = await context.newPage();
  await second.goto(`${server().url}/dashboard`);
  await expectDashboard(second, email);

  await first.getByRole("button", { name: "Log out of all devices" }).click();
  await expect(first).toHaveURL(/\/login$/);
  await expect(second).toHaveURL(/\/login/);
});

test("revoking another device from the dashboard signs that device out", async ({ browser }) => {
  const email = uniqueEmail("revoke");
  await createAccount(server(), email);
  const mine = await (await browser.newContext()).newPage();
  const other = await (await browser.newContext()).newPage();
  for (const page of [other, mine]) {
    await page.goto(`${server().url}/login`);
    await signIn(page, email);
    await expectDashboard(page, email);
  }
  await mine.reload();
  await expect(mine.getByTestId("session")).toHaveCount(2);
  await mine.getByRole("button", { name: "Revoke" }).click();
  await expect(mine.getByTestId("session")).toHaveCount(1);

  await other.goto(`${server().url}/dashboard`);
  await expect(other).toHaveURL(/\/login\?next=%2Fdashboard$/);
  await expect(other.getByRole("status")).toContainText(EXPIRED_MESSAGE);
  await mine.context().close();
  await other.context().close();
});
