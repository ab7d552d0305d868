// Every page of the app, audited by axe-core (WCAG 2.0/2.1 A and AA rules) at desktop and phone widths,
// in the states a person meets: empty forms, an inline error, the strength meter, a revealed password,
// the expired-session message, and a dashboard with sessions, alerts and activity. Each state is also
// saved as a screenshot in e2e/screenshots/ for a person to look at.
//
// New pages are added to PAGES as they land on main.
import AxeBuilder from "@axe-core/playwright";
import type { Browser, Page } from "@playwright/test";
import { createAccount, expect, expectDashboard, PASSWORD, signIn, test, uniqueEmail, serverForFile } from "./support";

const server = serverForFile({ AUTH_REFRESH_REUSE_GRACE: "0" });

const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;
const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/** Audits the page as it is now and saves a screenshot named `name`. */
async function audit(page: Page, name: string, width: keyof typeof VIEWPORTS): Promise<void> {
  await page.screenshot({ path: `e2e/screenshots/a11y-${name}-${width}.png`, fullPage: true });
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const violations = results.violations.map((violation) => ({
    rule: violation.id,
    impact: violation.impact,
    help: violation.help,
    where: violation.nodes.map((node) => node.target.join(" ")),
  }));
  expect(violations, `axe-core violations on ${name} at ${width} width`).toEqual([]);
}

/** Signed-out pages: a path, what shows it is ready, and what to do before the audit. */
const PAGES: { name: string; path: string; ready: (page: Page) => Promise<void> }[] = [
  { name: "home", path: "/", ready: (page) => expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible() },
  { name: "login", path: "/login", ready: (page) => expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible() },
  {
    name: "login-oidc-error",
    path: "/login?error=oidc",
    ready: (page) => expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible(),
  },
  {
    name: "register",
    path: "/register",
    ready: (page) => expect(page.getByRole("heading", { name: "Create your account" })).toBeVisible(),
  },
  {
    name: "forgot-password",
    path: "/forgot-password",
    ready: (page) => expect(page.getByRole("heading", { name: "Forgot your password?" })).toBeVisible(),
  },
  {
    // A link that names no token: the page's own error and its link to ask for a new one.
    name: "reset-password-bad-link",
    path: "/reset-password?token=not-a-real-token",
    ready: (page) => expect(page.getByRole("heading", { name: "Choose a new password" })).toBeVisible(),
  },
  {
    name: "verify-email-bad-link",
    path: "/verify-email?token=not-a-real-token",
    ready: (page) => expect(page.getByRole("heading", { name: "Confirm your email" })).toBeVisible(),
  },
];

async function newPage(browser: Browser, width: keyof typeof VIEWPORTS): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEWPORTS[width] });
  return context.newPage();
}

/** Signs in over the API from a phone, then presents its refresh token twice: a reuse alert. */
async function anotherDeviceWithReuse(email: string): Promise<void> {
  const headers = { "Content-Type": "application/json", "User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1" };
  const login = await fetch(`${server().url}/api/auth/login`, { method: "POST", headers, body: JSON.stringify({ email, password: PASSWORD }) });
  expect(login.status).toBe(200);
  const refresh = login.headers.getSetCookie().find((cookie) => cookie.startsWith("refresh_token="))!.split(";")[0]!;
  for (const expected of [200, 403]) {
    const response = await fetch(`${server().url}/api/auth/refresh`, { method: "POST", headers: { ...headers, Cookie: refresh } });
    expect(response.status).toBe(expected);
  }
  const again = await fetch(`${server().url}/api/auth/login`, { method: "POST", headers, body: JSON.stringify({ email, password: PASSWORD }) });
  expect(again.status).toBe(200);
}

for (const width of Object.keys(VIEWPORTS) as (keyof typeof VIEWPORTS)[]) {
  test.describe(`at ${width} width`, () => {
    for (const { name, path, ready } of PAGES) {
      test(`${path} has no accessibility violations`, async ({ browser }) => {
        const page = await newPage(browser, width);
        await page.goto(`${server().url}${path}`);
        await ready(page);
        await audit(page, name, width);
      });
    }

    test("the login form with an inline error, and the expired-session message", async ({ browser }) => {
      const page = await newPage(browser, width);
      const email = uniqueEmail("a11y-login");
      await createAccount(server(), email);
      await page.goto(`${server().url}/login`);
      await signIn(page, email, "not the password");
      await expect(page.getByRole("alert").filter({ hasText: "incorrect" })).toBeVisible();
      await audit(page, "login-error", width);

      await page.context().addCookies([{ name: "auth_state", value: "ended", url: server().url }]);
      await page.goto(`${server().url}/login`);
      await expect(page.getByRole("status").filter({ hasText: "expired" })).toBeVisible();
      await audit(page, "login-expired", width);
    });

    test("the sign-up form with the strength meter and the password shown", async ({ browser }) => {
      const page = await newPage(browser, width);
      await page.goto(`${server().url}/register`);
      await page.getByLabel("Email").fill(uniqueEmail("a11y-register"));
      await page.getByLabel("Password", { exact: true }).fill("iloveyou");
      await expect(page.getByText("This is a common password and will be refused")).toBeVisible();
      await page.getByRole("button", { name: "Show password" }).click();
      await expect(page.getByRole("button", { name: "Show password" })).toHaveAttribute("aria-pressed", "true");
      await page.getByRole("button", { name: "Create account" }).click();
      await expect(page.getByRole("alert").filter({ hasText: "too common" })).toBeVisible();
      await audit(page, "register-refused", width);
    });

    test("the dashboard with sessions, security alerts and activity", async ({ browser }) => {
      const page = await newPage(browser, width);
      const email = uniqueEmail("a11y-dashboard");
      await createAccount(server(), email);
      await anotherDeviceWithReuse(email);
      await page.goto(`${server().url}/login`);
      await signIn(page, email, "not the password");
      await expect(page.getByRole("alert").filter({ hasText: "incorrect" })).toBeVisible();
      await signIn(page, email, "still not the password");
      await expect(page.getByRole("alert").filter({ hasText: "incorrect" })).toBeVisible();
      await signIn(page, email);
      await expectDashboard(page, email);
      await expect(page.getByTestId("session")).toHaveCount(2);
      await expect(page.getByRole("region", { name: "Security alerts" }).getByRole("alert")).toBeVisible();
      await audit(page, "dashboard", width);
    });
  });
}
