// What every browser test needs: a real server with the lifetimes the test asks for, accounts made over
// the API, and signing in the way a person does.
import { expect, test as base, type BrowserContext, type Page } from "@playwright/test";
import { createAccount, PASSWORD, uniqueEmail } from "../tests/support/accounts";
import { startServer, type TestServer } from "../tests/support/server";

export { createAccount, PASSWORD, uniqueEmail };

/** One server per test file, started with `settings` (seconds) and stopped after the file. */
export function serverForFile(settings: Record<string, string>): () => TestServer {
  let server: TestServer | undefined;
  base.beforeAll(async () => {
    server = await startServer(settings);
  });
  base.afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error("server not started");
    return server;
  };
}

/** Fills the login form and submits it with the keyboard, as a person would. */
export async function signIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByLabel("Password").press("Enter");
}

export async function expectDashboard(page: Page, email: string): Promise<void> {
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
  await expect(page.getByText(`Signed in as ${email}`)).toBeVisible();
}

/** A new account, signed in through the login form on `page` as a person would; returns its email. */
export async function signInNewAccount(page: Page, server: TestServer, label: string): Promise<string> {
  const email = uniqueEmail(label);
  await createAccount(server, email);
  await page.goto(`${server.url}/login`);
  await signIn(page, email);
  await expectDashboard(page, email);
  return email;
}

export const EXPIRED_MESSAGE = "Your session has expired";

/** Waits real time: the server's lifetimes are real seconds. */
export function elapse(seconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, seconds * 1000));
}

/**
 * Every test fails if the browser reports a Content-Security-Policy violation or a script error, in any of
 * its contexts: the pages must work with the policy on.
 */
export const test = base.extend<{ pageProblems: void }>({
  pageProblems: [
    async ({ browser, context }, use) => {
      const problems: string[] = [];
      const watch = (watched: BrowserContext) => {
        watched.on("console", (message) => {
          if (/Content[- ]Security[- ]Policy/i.test(message.text())) problems.push(message.text());
        });
        watched.on("weberror", (error) => problems.push(error.error().message));
      };
      watch(context);
      const newContext = browser.newContext.bind(browser);
      browser.newContext = async (...args) => {
        const created = await newContext(...args);
        watch(created);
        return created;
      };
      await use();
      browser.newContext = newContext;
      expect(problems, "CSP violations or script errors in the browser").toEqual([]);
    },
    { auto: true },
  ],
});
export { expect };
