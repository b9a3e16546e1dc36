import AxeBuilder from "@axe-core/playwright";
import { type Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { APP_A, APP_B, AppPage, ProviderLogin, uniqueEmail } from "./pages/app";
import { ProviderHooks } from "./pages/provider-hooks";

// What people see and hear: accessibility (axe, WCAG 2.2 A/AA), focus and
// announcements after each outcome, the notice when a session ends
// elsewhere, and the honest word on CentralAuth's autologin.

let hooks: ProviderHooks;

test.beforeEach(async ({ request }) => {
  hooks = new ProviderHooks(request);
  await hooks.reset();
});

const WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"];

/** Zero violations, with the rules that failed named in the message; the count is logged for the closing note. */
async function expectNoAxeViolations(page: Page, state: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  const summary = results.violations.map((v) => `${v.id} (${v.nodes.length}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  console.log(`axe ${state}: ${results.violations.length} violations, ${results.passes.length} rules passed`);
  expect(summary, `axe violations on ${state}`).toEqual([]);
}

async function signedIn(page: Page, tag: string): Promise<AppPage> {
  const app = new AppPage(page);
  await app.goto("/");
  await app.signIn(uniqueEmail(tag));
  await app.waitForHydration();
  return app;
}

test.describe("accessibility: axe finds nothing in any state", () => {
  test("signed out, the provider's sign-in page, signed in (light and dark), account, logout page", async ({ page }) => {
    const app = new AppPage(page);
    await app.goto("/");
    await app.waitForHydration();
    await expectNoAxeViolations(page, "signed out");

    await app.signInLink.click();
    await expect(new ProviderLogin(page).heading).toBeVisible();
    await expectNoAxeViolations(page, "development provider sign-in page");
    await new ProviderLogin(page).signIn(uniqueEmail("axe"));
    await expect(app.userEmail).toBeVisible();
    await app.waitForHydration();
    await expectNoAxeViolations(page, "signed in");
    await page.emulateMedia({ colorScheme: "dark" });
    await expectNoAxeViolations(page, "signed in, dark");
    await page.emulateMedia({ colorScheme: "light" });

    await app.goto("/account");
    await app.waitForHydration();
    await expectNoAxeViolations(page, "account");
    await app.goto("/logout");
    await app.waitForHydration();
    await expectNoAxeViolations(page, "logout page");
  });

  test("logout failure, with JavaScript, and the page a failed post lands on without it", async ({ page, browser }) => {
    const app = await signedIn(page, "axe-failure");
    await hooks.fault({ endpoint: "logout", status: 503 });
    await app.logOut({ everywhere: true });
    await expect(app.logoutError).toBeVisible();
    await expectNoAxeViolations(page, "logout failure");
    await page.emulateMedia({ colorScheme: "dark" });
    await expectNoAxeViolations(page, "logout failure, dark");

    const context = await browser.newContext({ javaScriptEnabled: false });
    const noJs = new AppPage(await context.newPage());
    await noJs.goto("/");
    await noJs.signIn(uniqueEmail("axe-failure-nojs"));
    await hooks.fault({ endpoint: "logout", status: 503 });
    await noJs.logOut({ everywhere: true });
    await expect(noJs.page).toHaveURL(/\/logout\?failed=everywhere/);
    await expect(noJs.logoutError).toBeVisible();
    // axe runs its script in the page; JavaScript was off for the app only while it loaded.
    const audit = await browser.newContext();
    const audited = await audit.newPage();
    await audit.addCookies(await context.cookies());
    await audited.goto(noJs.page.url());
    await expectNoAxeViolations(audited, "logout failure without JavaScript (landing page)");
    await context.close();
    await audit.close();
  });

  test("after each logout, the sign-in error page and 404", async ({ page }) => {
    const app = await signedIn(page, "axe-after-local");
    await app.logOut({ everywhere: false });
    await app.expectSignedOut();
    await expectNoAxeViolations(page, "logged out of this app only");

    await app.signInAgain();
    await app.waitForHydration();
    await app.logOut({ everywhere: true });
    await app.expectSignedOut();
    await expectNoAxeViolations(page, "logged out everywhere");

    await page.goto(`${APP_A}/api/auth/login`);
    await page.getByRole("button", { name: "Cancel sign-in" }).click();
    await expect(page.getByRole("heading", { name: "Sign-in did not complete" })).toBeVisible();
    await expectNoAxeViolations(page, "sign-in error page");

    await page.goto(`${APP_A}/no-such-page`);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
    await expectNoAxeViolations(page, "404");
  });
});

test.describe("focus and announcements", () => {
  test("after a logout everywhere, focus is on the heading that says so and the live region announces it", async ({ page }) => {
    const app = await signedIn(page, "focus-everywhere");
    await app.logOut({ everywhere: true });
    const heading = page.getByRole("heading", { name: "You are logged out everywhere" });
    await expect(heading).toBeFocused();
    await expect(page.getByTestId("announcer")).toHaveText("You are logged out everywhere.");
    await expect(page).toHaveURL(`${APP_A}/`);
  });

  test("after a failed logout everywhere, focus is on the alert that says so", async ({ page }) => {
    const app = await signedIn(page, "focus-failure");
    await hooks.fault({ endpoint: "logout", status: 503 });
    await app.logOut({ everywhere: true });
    await expect(app.logoutError).toBeFocused();
    await expect(app.logoutError).toHaveAttribute("role", "alert");
    // Try again keeps the focus on the alert's own controls or the alert.
    await hooks.fault({ endpoint: "logout", status: 503 });
    await app.tryAgain.click();
    await expect(app.logoutError).toBeVisible();
    await expect(page.locator("body")).not.toBeFocused();
  });

  test("keyboard only: Tab to the toggle, Space, Tab to the button, Enter", async ({ page }) => {
    const app = await signedIn(page, "keyboard");
    await page.locator("body").focus();
    for (let i = 0; i < 20 && !(await app.everywhereToggle.evaluate((el) => el === document.activeElement)); i++) {
      await page.keyboard.press("Tab");
    }
    await expect(app.everywhereToggle).toBeFocused();
    await page.keyboard.press("Space");
    await expect(app.everywhereToggle).toBeChecked();
    await page.keyboard.press("Tab");
    await expect(app.logoutButton).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page.getByRole("heading", { name: "You are logged out everywhere" })).toBeFocused();
    await app.expectSignedOut();
    expect((await hooks.calls("logout")).map((c) => c.status)).toEqual([200]);
  });

  test("without JavaScript, the page a logout lands on says what happened in its heading", async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const app = new AppPage(await context.newPage());
    await app.goto("/");
    await app.signIn(uniqueEmail("nojs-heading"));
    await app.logOut({ everywhere: true });
    await expect(app.page.getByRole("heading", { name: "You are logged out everywhere" })).toBeVisible();
    await app.signIn(uniqueEmail("nojs-heading-2"));
    await app.logOut({ everywhere: false });
    await expect(app.page.getByRole("heading", { name: "You are logged out", exact: true })).toBeVisible();
    await expect(app.page.getByTestId("logged-out-detail")).toContainText("still active");
    await context.close();
  });
});

test.describe("a session that ends elsewhere", () => {
  test("a signed-in tab of app A says so when it becomes visible after log out everywhere in app B, without a reload", async ({ page }) => {
    const email = uniqueEmail("ended-elsewhere");
    const a = new AppPage(page, APP_A);
    await a.goto("/");
    await a.signIn(email);
    await a.waitForHydration();
    await page.evaluate(() => ((window as unknown as { __marker?: number }).__marker = 7));

    const b = new AppPage(await page.context().newPage(), APP_B);
    await b.goto("/");
    await b.signInLink.click();
    await expect(b.userEmail).toHaveText(email);
    await b.waitForHydration();
    await b.logOut({ everywhere: true });
    await b.expectSignedOut();

    // A still shows the user until it looks again.
    await expect(a.userEmail).toHaveText(email);
    await page.bringToFront();
    await page.evaluate(() => document.dispatchEvent(new Event("visibilitychange")));
    await expect(page.getByTestId("session-ended")).toHaveText("You were signed out.");
    await expect(page.getByTestId("announcer")).toHaveText("You were signed out.");
    await a.expectSignedOut();
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(7);
  });

  test("checks are throttled: returning to the tab three times within a few seconds asks once", async ({ page }) => {
    const app = await signedIn(page, "throttle");
    await hooks.reset();
    for (let i = 0; i < 3; i++) {
      await page.evaluate(() => {
        document.dispatchEvent(new Event("visibilitychange"));
        window.dispatchEvent(new Event("focus"));
      });
      // Long enough for a check to finish, well under the throttle.
      await page.waitForTimeout(400);
    }
    expect(await hooks.calls("userinfo")).toHaveLength(1);
    await expect(app.userEmail).toBeVisible();
  });
});

test.describe("autologin, said honestly", () => {
  test("the toggle's hint and the page after this-app-only say that signing in again continues as the same account", async ({ page }) => {
    const email = uniqueEmail("autologin");
    const app = new AppPage(page);
    await app.goto("/");
    await app.signIn(email);
    await app.waitForHydration();
    await expect(page.locator("#logout-everywhere-hint")).toContainText("the next sign-in continues as the same account");
    await expect(page.locator("#logout-everywhere-hint")).toContainText("To switch accounts, log out everywhere");

    await app.logOut({ everywhere: false });
    await expect(page.getByTestId("logged-out-detail")).toHaveText(
      "Of this app only: your CentralAuth session is still active, so signing in again continues as the same account without asking. To switch accounts, sign in and log out with “Log out everywhere”.",
    );
    // And it is true: no form, same account.
    await app.signInAgain();
    await expect(app.userEmail).toHaveText(email);

    await app.waitForHydration();
    await app.logOut({ everywhere: true });
    await expect(page.getByTestId("logged-out-detail")).toContainText("Signing in again asks who you are");
    await app.signInLink.click();
    await expect(new ProviderLogin(page).heading).toBeVisible();
  });
});
