// Every flow with the keyboard alone: Tab to move, typing, Enter or Space to press. No click, no fill.
import type { Page } from "@playwright/test";
import { expect, expectDashboard, PASSWORD, test, uniqueEmail, serverForFile } from "./support";

const server = serverForFile({});

/** Presses Tab until the element with this role and name has the focus (at most 20 times). */
async function tabTo(page: Page, role: "button" | "textbox" | "link", name: string): Promise<void> {
  const target = page.getByRole(role, { name, exact: true });
  for (let presses = 0; presses < 20; presses++) {
    if (await target.evaluate((element) => element === document.activeElement)) return;
    await page.keyboard.press("Tab");
  }
  await expect(target).toBeFocused();
}

test("sign up, log out, sign in and log out of all devices, with the keyboard alone", async ({ page }) => {
  const email = uniqueEmail("keyboard");
  await page.goto(`${server().url}/register`);
  await expect(page.getByLabel("Email")).toBeFocused(); // the form starts where the person types
  await page.keyboard.type(email);
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Password")).toBeFocused();
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Tab");
  const reveal = page.getByRole("button", { name: "Show password" });
  await expect(reveal).toBeFocused();
  await page.keyboard.press("Space");
  await expect(reveal).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByLabel("Password")).toHaveValue(PASSWORD);
  await expect(page.getByLabel("Password")).toHaveAttribute("type", "text");
  await page.keyboard.press("Enter");
  await expect(reveal).toHaveAttribute("aria-pressed", "false");
  await tabTo(page, "button", "Create account");
  await page.keyboard.press("Enter");
  await expectDashboard(page, email);

  await tabTo(page, "button", "Log out");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/login$/);

  await expect(page.getByLabel("Email")).toBeFocused();
  await page.keyboard.type(email);
  await page.keyboard.press("Tab");
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await expectDashboard(page, email);

  await tabTo(page, "button", "Log out of all devices");
  await page.keyboard.press("Space");
  await expect(page).toHaveURL(/\/login$/);
  await page.goto(`${server().url}/dashboard`);
  await expect(page).toHaveURL(/\/login\?next=/);
});
