// Access tokens of 2 seconds: every step after a short wait needs a transparent refresh.
import { createAccount, elapse, expect, expectDashboard, signIn, test, uniqueEmail, serverForFile, signInNewAccount } from "./support";

const ACCESS_TTL = 2;
const server = serverForFile({ AUTH_ACCESS_TTL: String(ACCESS_TTL) });

test("an expired access token is refreshed transparently on navigation", async ({ page }) => {
  const email = await signInNewAccount(page, server(), "nav-refresh");

  await elapse(ACCESS_TTL + 1.5);
  const seen: string[] = [];
  page.on("request", (request) => seen.push(new URL(request.url()).pathname));
  await page.goto(`${server().url}/dashboard`);
  await expectDashboard(page, email);
  expect(seen).toContain("/api/auth/refresh");
  expect(seen).not.toContain("/login");
});

test("a link from another site to the dashboard, with an expired access token, still opens it", async ({ page }) => {
  const email = await signInNewAccount(page, server(), "cross-site-link");
  await page.route("http://elsewhere.example/", (route) =>
    route.fulfill({ contentType: "text/html", body: `<!doctype html><title>Mail</title><a href="${server().url}/dashboard">Open my dashboard</a>` }),
  );
  await elapse(ACCESS_TTL + 1.5);
  const hops: string[] = [];
  page.on("response", (response) => {
    if (new URL(response.url()).pathname === "/api/auth/refresh") hops.push(`${response.request().method()} ${response.status()}`);
  });
  await page.goto("http://elsewhere.example/");
  await page.getByRole("link", { name: "Open my dashboard" }).click();
  await expectDashboard(page, email);
  // The hop the other site's link led to refused to rotate (403); our own page went on to it, which did.
  expect(hops).toEqual(["GET 403", "GET 303"]);
});

test("an expired access token is refreshed transparently on a dashboard API call", async ({ page }) => {
  const email = await signInNewAccount(page, server(), "api-refresh");

  await elapse(ACCESS_TTL + 1.5);
  const refresh = page.waitForResponse((response) => response.url().endsWith("/api/auth/refresh"));
  const list = page.waitForResponse((response) => response.url().endsWith("/api/auth/sessions") && response.ok());
  await page.getByRole("button", { name: "Refresh list" }).click();
  expect((await refresh).status()).toBe(200);
  await list;
  await expectDashboard(page, email);
  await expect(page.getByTestId("session")).toHaveCount(1);
});

test("several tabs with an expired access token refresh at once and all stay signed in", async ({ context }) => {
  const email = uniqueEmail("tabs");
  await createAccount(server(), email);
  const tabs = [await context.newPage(), await context.newPage(), await context.newPage()];
  await tabs[0]!.goto(`${server().url}/login`);
  await signIn(tabs[0]!, email);
  await expectDashboard(tabs[0]!, email);
  for (const tab of tabs.slice(1)) await tab.goto(`${server().url}/dashboard`);

  await elapse(ACCESS_TTL + 1.5);
  await Promise.all(tabs.map((tab) => tab.reload()));
  for (const tab of tabs) await expectDashboard(tab, email);

  await elapse(ACCESS_TTL + 1.5);
  await Promise.all(tabs.map((tab) => tab.getByRole("button", { name: "Refresh list" }).click()));
  for (const tab of tabs) {
    await expect(tab.getByRole("button", { name: "Refresh list" })).toBeEnabled();
    await expectDashboard(tab, email);
  }
  // Still one session: the concurrent refreshes did not split it or trip reuse detection.
  await tabs[0]!.goto(`${server().url}/dashboard`);
  await expect(tabs[0]!.getByTestId("session")).toHaveCount(1);
});
