// The dashboard's buttons act on the account the page shows, say so when they fail, and keep working when
// the cross-tab refresh marker in localStorage lies.
import type { Page } from "@playwright/test";
import { createAccount, expect, expectDashboard, PASSWORD, signInNewAccount, test, uniqueEmail, serverForFile } from "./support";

const server = serverForFile({});

const UNAVAILABLE = { error: "service_unavailable", message: "The service is briefly unavailable. Please try again." };

/** Answers `path` with a 503 on `page` only (the network failing for that one request). */
async function failWith503(page: Page, path: string): Promise<void> {
  await page.route(`**${path}`, (route) =>
    route.fulfill({ status: 503, contentType: "application/json", headers: { "Retry-After": "5" }, body: JSON.stringify(UNAVAILABLE) }),
  );
}

/** A same-origin page outside the app's gates that records what the auth channel says to the other tabs. */
async function channelListener(page: Page): Promise<() => Promise<unknown[]>> {
  await page.goto(`${server().url}/api/health`); // same origin, not a page of the app: no listener of its own
  await page.evaluate(() => {
    const heard: unknown[] = [];
    (window as unknown as { heard: unknown[] }).heard = heard;
    new BroadcastChannel("auth").onmessage = (event) => heard.push(event.data);
  });
  return () => page.evaluate(() => (window as unknown as { heard: unknown[] }).heard);
}

test("after another account signs in in another tab, the old page's 'Log out of all devices' does not touch it and the page reloads", async ({ page, context }) => {
  const shown = await signInNewAccount(page, server(), "shown");
  const other = uniqueEmail("other");
  await createAccount(server(), other);

  const tab = await context.newPage();
  await tab.goto(`${server().url}/api/health`);
  const login = await tab.evaluate(
    async ([email, password]) =>
      (await fetch("/api/auth/login", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ email, password }) })).status,
    [other, PASSWORD],
  );
  expect(login).toBe(200);

  await expect(page.getByText(`Signed in as ${shown}`)).toBeVisible();
  await page.getByRole("button", { name: "Log out of all devices" }).click();
  // Refused for the account shown: the page reloads and now shows the signed-in account, still signed in.
  await expectDashboard(page, other);
  await tab.goto(`${server().url}/dashboard`);
  await expectDashboard(tab, other);
  await expect(tab.getByTestId("session")).toHaveCount(1);
});

test("'Log out of all devices' that fails shows the error, stays on the page, and tells no other tab", async ({ page, context }) => {
  await signInNewAccount(page, server(), "fail-all");
  const heard = await channelListener(await context.newPage());

  await failWith503(page, "/api/auth/logout-all");
  await page.getByRole("button", { name: "Log out of all devices" }).click();
  const actions = page.getByRole("region", { name: "Sign out" });
  await expect(actions.getByRole("alert")).toContainText("The service is briefly unavailable");
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("button", { name: "Log out of all devices" })).toBeEnabled();

  // The same button once the server answers: it works, and the other tab hears it exactly once.
  await page.unroute("**/api/auth/logout-all");
  await page.getByRole("button", { name: "Log out of all devices" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect.poll(heard).toEqual([{ type: "signed-out" }]);
});

test("'Log out' that fails shows the error and stays signed in on the page", async ({ page, context }) => {
  const email = await signInNewAccount(page, server(), "fail-one");
  const heard = await channelListener(await context.newPage());

  await failWith503(page, "/api/auth/logout");
  await page.getByRole("button", { name: "Log out", exact: true }).click();
  await expect(page.getByRole("region", { name: "Sign out" }).getByRole("alert")).toContainText("The service is briefly unavailable");
  await page.reload();
  await expectDashboard(page, email);

  await page.unroute("**/api/auth/logout");
  await page.getByRole("button", { name: "Log out", exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect.poll(heard).toEqual([{ type: "signed-out" }]);
});

test("a cross-tab refresh time in the future (a clock set back) does not switch in-page refresh off", async ({ page, context }) => {
  await signInNewAccount(page, server(), "clock");
  // Next.js prefetches the pages the dashboard links to; one that starts after the cookie is gone goes
  // through the refresh hop and refreshes for us, and then nothing would show whether in-page refresh works.
  await page.waitForLoadState("networkidle");
  await page.evaluate(() => localStorage.setItem("auth:last-refresh", String(Date.now() + 3_600_000)));
  // What the browser does when the access token's lifetime is over: its cookie is gone.
  await context.clearCookies({ name: /access_token$/ });

  const refreshed = page.waitForResponse(
    (response) => response.request().method() === "POST" && new URL(response.url()).pathname === "/api/auth/refresh",
  );
  await page.getByRole("button", { name: "Refresh list" }).click();
  expect((await refreshed).status()).toBe(200);
  await expect(page.getByRole("button", { name: "Refresh list" })).toBeEnabled();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("region", { name: "Where you are signed in" }).getByRole("alert")).toHaveCount(0);
  expect((await context.cookies()).some((cookie) => cookie.name.endsWith("access_token"))).toBe(true);
});
