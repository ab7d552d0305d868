// The dashboard's "Recent activity": readable entries with time, browser and address; and its "Security
// alerts", apart: a warning once a refresh token of the account was presented twice (reuse), which no
// number of failed sign-ins (anyone who knows the email can cause them) pushes out of view.
import { describeBrowser } from "../lib/client/describe-device";
import { createAccount, expect, expectDashboard, PASSWORD, signIn, test, uniqueEmail, serverForFile } from "./support";

// No grace period: a second presentation of a refresh token is reuse at once. Failed logins are not
// throttled before FAILED_LOGINS: the flood below must be recorded to be a test.
const FAILED_LOGINS = 22;
const server = serverForFile({ AUTH_REFRESH_REUSE_GRACE: "0", AUTH_LOGIN_MAX_FAILURES: String(FAILED_LOGINS + 5) });

/** Signs in over the API on another "device", then presents its refresh token twice. */
async function reuseARefreshTokenElsewhere(email: string): Promise<void> {
  const url = server().url;
  const login = await fetch(`${url}/api/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "User-Agent": "curl/8.5.0" },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  expect(login.status).toBe(200);
  const refreshCookie = login.headers.getSetCookie().find((cookie) => cookie.startsWith("refresh_token="))!.split(";")[0]!;
  const refresh = () => fetch(`${url}/api/auth/refresh`, { method: "POST", headers: { Cookie: refreshCookie, "User-Agent": "curl/8.5.0" } });
  expect((await refresh()).status).toBe(200);
  expect((await refresh()).status).toBe(403);
}

test("the dashboard lists recent activity in plain words and warns after a refresh token was reused", async ({ page }) => {
  const email = uniqueEmail("activity");
  await createAccount(server(), email);
  await page.goto(`${server().url}/login`);
  await signIn(page, email, "not the password");
  await expect(page.getByRole("alert").filter({ hasText: "incorrect" })).toBeVisible();
  await signIn(page, email);
  await expectDashboard(page, email);

  const activity = page.getByRole("region", { name: "Recent activity" });
  const entries = activity.getByTestId("activity");
  const browser = describeBrowser(await page.evaluate(() => navigator.userAgent));
  await expect(entries).toHaveCount(3);
  await expect(entries.first()).toContainText("Signed in from a new browser or device");
  await expect(entries.nth(1)).toContainText("Failed sign-in attempt (wrong password)");
  await expect(entries.nth(2)).toContainText("Account created");
  await expect(entries.first()).toContainText(browser);
  await expect(entries.first()).toContainText("127.0.0.1");
  await expect(entries.first()).toContainText(/\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC/);
  const alerts = page.getByRole("region", { name: "Security alerts" });
  await expect(alerts.getByTestId("security-alert")).toHaveCount(1);
  await expect(alerts.getByTestId("security-alert")).toContainText("Sign-in from a new browser or device");
  await expect(alerts.getByRole("alert")).toHaveCount(0); // (Next.js's route announcer is an alert of its own)

  await reuseARefreshTokenElsewhere(email);
  await page.reload();
  await expectDashboard(page, email);
  const warning = alerts.getByRole("alert");
  await expect(warning).toContainText("Someone may have a copy of one of your sessions");
  await expect(warning).toContainText("curl");
  await expect(entries.first()).toContainText("A used sign-in token was presented again");
  await page.screenshot({ path: "e2e/screenshots/dashboard-reuse-warning.png", fullPage: true });
});

test("failed sign-ins after a reuse are one line with their count, and the reuse warning stays in view", async ({ page }) => {
  const email = uniqueEmail("flooded");
  await createAccount(server(), email);
  await reuseARefreshTokenElsewhere(email);
  for (let attempt = 0; attempt < FAILED_LOGINS; attempt++) {
    const failed = await fetch(`${server().url}/api/auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email, password: `wrong guess ${attempt}` }),
    });
    expect(failed.status).toBe(401);
  }
  await page.goto(`${server().url}/login`);
  await signIn(page, email);
  await expectDashboard(page, email);

  const warning = page.getByRole("region", { name: "Security alerts" }).getByRole("alert");
  await expect(warning).toContainText("Someone may have a copy of one of your sessions");
  const entries = page.getByRole("region", { name: "Recent activity" }).getByTestId("activity");
  await expect(entries.nth(1)).toContainText(`${FAILED_LOGINS} failed sign-ins`);
  await expect(entries.filter({ hasText: "failed sign-in" })).toHaveCount(1);
  await expect(entries.nth(2)).toContainText("A used sign-in token was presented again");
});
