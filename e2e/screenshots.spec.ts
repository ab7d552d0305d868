// Saves what a person sees, at desktop and phone width, into e2e/screenshots/ for review.
import { createAccount, expect, expectDashboard, signIn, test, uniqueEmail, serverForFile } from "./support";

const server = serverForFile({});
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };

for (const [name, viewport] of Object.entries(VIEWPORTS)) {
  test(`screenshots of login, register and dashboard at ${name} width`, async ({ browser }) => {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    const folder = "e2e/screenshots";

    await page.goto(`${server().url}/register`);
    await expect(page.getByRole("heading", { name: "Create your account" })).toBeVisible();
    await page.screenshot({ path: `${folder}/register-${name}.png`, fullPage: true });

    const email = uniqueEmail(name);
    await createAccount(server(), email);
    await page.goto(`${server().url}/login`);
    await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
    await page.screenshot({ path: `${folder}/login-${name}.png`, fullPage: true });

    const other = await browser.newContext({ userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1" });
    const otherPage = await other.newPage();
    await otherPage.goto(`${server().url}/login`);
    await signIn(otherPage, email);
    await expectDashboard(otherPage, email);

    await signIn(page, email);
    await expectDashboard(page, email);
    await expect(page.getByTestId("session")).toHaveCount(2);
    await page.screenshot({ path: `${folder}/dashboard-${name}.png`, fullPage: true });
    await other.close();
    await context.close();
  });
}
