// Account recovery and verification in the browser, reading the links from the default outbox folder
// (no SMTP_URL): forgot → email → reset → sign in with the new password; verify → the dashboard says so.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { simpleParser, type ParsedMail } from "mailparser";
import { createAccount, expect, expectDashboard, PASSWORD, serverForFile, signIn, test, uniqueEmail } from "./support";

const server = serverForFile({});
const NEW_PASSWORD = "a fresh new passphrase";

/** The newest message in the outbox to `email` whose subject matches, waiting for it to be written. */
async function latestMail(email: string, subject: RegExp): Promise<ParsedMail> {
  const folder = path.join(server().dataDir, "outbox");
  const deadline = Date.now() + 15_000;
  for (;;) {
    const names = existsSync(folder) ? readdirSync(folder).filter((name) => name.endsWith(".eml")).sort().reverse() : [];
    for (const name of names) {
      const mail = await simpleParser(readFileSync(path.join(folder, name)));
      const to = !Array.isArray(mail.to) ? mail.to?.value[0]?.address : undefined;
      if (to === email && subject.test(mail.subject ?? "")) return mail;
    }
    if (Date.now() > deadline) throw new Error(`no message to ${email} in ${folder}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The link of a message, moved from APP_URL (http://localhost:<port>) onto the address the test reaches. */
function linkOf(mail: ParsedMail, pathname: string): string {
  const match = new RegExp(`https?://[^\\s/]+${pathname}\\?token=[\\w-]+`).exec(mail.text ?? "");
  if (!match) throw new Error(`no ${pathname} link in:\n${mail.text}`);
  const link = new URL(match[0]);
  return `${server().url}${link.pathname}${link.search}`;
}

test("forgot password → the emailed link → a new password → signed in with it", async ({ page }) => {
  const email = uniqueEmail("forgot");
  await createAccount(server(), email);
  await page.goto(`${server().url}/login`);
  await page.getByRole("link", { name: "Forgot password?" }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);
  await expect(page.getByLabel("Email")).toHaveAttribute("autocomplete", "email");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Email").press("Enter");
  await expect(page.getByRole("status")).toContainText("Check your email");

  const link = linkOf(await latestMail(email, /reset/i), "/reset-password");
  const response = await page.goto(link);
  expect(response?.headers()["referrer-policy"]).toBe("no-referrer");
  await expect(page.getByLabel("New password")).toHaveAttribute("autocomplete", "new-password");
  await expect(page).toHaveURL(/\/reset-password$/); // the token left the address bar
  await page.getByLabel("New password").fill(NEW_PASSWORD);
  await page.getByLabel("New password").press("Enter");
  await expect(page).toHaveURL(/\/login\?reset=done$/);
  await expect(page.getByRole("status")).toContainText("Your password was changed");

  await signIn(page, email, NEW_PASSWORD);
  await expectDashboard(page, email);

  // The link was spent: opening it again says so, with a way to ask for a new one.
  await page.goto(link);
  await expect(page.getByRole("alert").filter({ hasText: "not valid or has expired" })).toBeVisible();
  await page.getByRole("link", { name: "Ask for a new link" }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);
});

test("an unknown email gets the same 'check your email' message", async ({ page }) => {
  await page.goto(`${server().url}/forgot-password`);
  await page.getByLabel("Email").fill(uniqueEmail("nobody"));
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByRole("status")).toContainText("Check your email");
});

test("the verification link confirms the address, and the dashboard shows it verified", async ({ page }) => {
  const email = uniqueEmail("verify");
  await page.goto(`${server().url}/register`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expectDashboard(page, email);
  await expect(page.getByTestId("email-status")).toContainText("Not verified");

  await page.getByRole("button", { name: "Resend verification email" }).click();
  await expect(page.getByRole("status")).toContainText("We sent a new link");

  const response = await page.goto(linkOf(await latestMail(email, /confirm/i), "/verify-email"));
  expect(response?.headers()["referrer-policy"]).toBe("no-referrer");
  await expect(page.getByRole("status")).toContainText("Your email address is confirmed");
  await expect(page).toHaveURL(/\/verify-email$/);
  await page.goto(`${server().url}/dashboard`);
  await expect(page.getByTestId("email-status")).toContainText("Verified");
  await expect(page.getByRole("button", { name: "Resend verification email" })).toHaveCount(0);

  await page.goto(`${server().url}/verify-email?token=not-a-real-token`);
  await expect(page.getByRole("alert").filter({ hasText: "not valid or has expired" })).toBeVisible();
});
