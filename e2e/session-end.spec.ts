// A login session of 6 seconds: once it is over, the person must sign in again and is told why.
import { elapse, expect, EXPIRED_MESSAGE, signIn, signInNewAccount, test, serverForFile } from "./support";

const SESSION_TTL = 6;
const server = serverForFile({ AUTH_ACCESS_TTL: "2", AUTH_REFRESH_TTL: String(SESSION_TTL) });

test("when the refresh token expires, the login page says so and signing in returns to the original page", async ({ page }) => {
  const email = await signInNewAccount(page, server(), "expiry");

  await elapse(SESSION_TTL + 1);
  await page.goto(`${server().url}/dashboard?tab=devices`);
  await expect(page).toHaveURL(`${server().url}/login?next=${encodeURIComponent("/dashboard?tab=devices")}`);
  await expect(page.getByRole("status")).toContainText(EXPIRED_MESSAGE);

  await signIn(page, email);
  await expect(page).toHaveURL(`${server().url}/dashboard?tab=devices`);
  await expect(page.getByText(`Signed in as ${email}`)).toBeVisible();
});
