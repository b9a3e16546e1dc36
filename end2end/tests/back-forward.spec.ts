import { chromium, type Browser, type Page } from "@playwright/test";
import { expect, test, watchBrowser } from "./fixtures";
import { chromiumWithBackForwardCache } from "../chromium";
import { APP_A, AppPage, cookie, uniqueEmail } from "./pages/app";
import { ProviderHooks } from "./pages/provider-hooks";
import { PROVIDER } from "../urls";

/**
 * Back after a logout, through real history entries and Chromium's
 * back/forward cache (which Playwright turns off by default). Two guards
 * keep signed-in content from coming back: `Cache-Control: no-store` on
 * every response to a signed-in request, and a session re-check when a page
 * is restored from the cache (`pageshow`). Each test fails without its guard.
 */

let browser: Browser;

test.beforeAll(async () => {
  browser = watchBrowser(await chromium.launch(chromiumWithBackForwardCache));
});

test.afterAll(async () => {
  await browser.close();
});

test.beforeEach(async ({ request }) => {
  await new ProviderHooks(request).reset();
});

/** Marks the current document, so a Back can tell a cache restore from a reload. */
async function mark(page: Page): Promise<void> {
  await page.evaluate(() => ((window as unknown as { __doc: string }).__doc = "kept"));
}

async function marked(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { __doc?: string }).__doc === "kept");
}

/** A full page load of `path`, signed in, its document marked. */
async function signedInPage(email: string, path: string): Promise<AppPage> {
  const page = await (await browser.newContext({ baseURL: APP_A })).newPage();
  const a = new AppPage(page);
  await a.goto("/");
  await a.signIn(email);
  await page.goto(`${APP_A}${path}`);
  await expect(a.userEmail).toHaveText(email);
  await a.waitForHydration();
  await mark(page);
  return a;
}

/**
 * On another document (a full load of /logout), logs out of this app only,
 * then goes Back through /logout's entry into the page before it.
 */
async function logOutElsewhereThenBackTwice(a: AppPage): Promise<void> {
  await a.page.goto(`${APP_A}/logout`);
  await a.waitForHydration();
  await a.logOut({ everywhere: false });
  await a.expectSignedOut();
  await a.page.goBack({ waitUntil: "commit" });
  await a.page.goBack({ waitUntil: "commit" });
}

test.describe("Back after logout", () => {
  test("a signed-in page is not restored from the back/forward cache after logging out", async () => {
    const email = uniqueEmail("back-no-store");
    // The home page: it shows the user and, signed out, does not redirect.
    const a = await signedInPage(email, "/");
    const page = a.page;

    await logOutElsewhereThenBackTwice(a);
    await expect(page).toHaveURL(`${APP_A}/`);
    await a.expectSignedOut();
    await expect(page.getByText(email)).toHaveCount(0);
    // Loaded afresh, not taken from the cache: no-store kept it out.
    expect(await marked(page)).toBe(false);
    await page.context().close();
  });

  test("Back to a page that sends signed-out visitors to sign in signs in again, without a redirect loop", async () => {
    const email = uniqueEmail("back-redirect");
    const a = await signedInPage(email, "/account");
    const page = a.page;

    // Back into /account's entry, now signed out: it redirects to sign-in,
    // CentralAuth still knows this browser and sends it back signed in. A
    // stored signed-out redirect replayed there looped until Chromium gave
    // up (ERR_TOO_MANY_REDIRECTS).
    await logOutElsewhereThenBackTwice(a);
    await expect(page).toHaveURL(`${APP_A}/account`);
    await expect(a.userEmail).toHaveText(email);
    await page.context().close();
  });

  test("a page restored from the back/forward cache re-checks the session", async ({ request }) => {
    const email = uniqueEmail("back-pageshow");
    const a = await signedInPage(email, "/account");
    const page = a.page;
    const token = (await cookie(page.context(), APP_A, "access_token"))!.value;

    await page.goto(`${APP_A}/no/such/page`);
    // The session ends elsewhere (another app's "log out everywhere"); this
    // browser's cookies do not change, so Chromium may restore the page.
    const ended = await request.post(`${PROVIDER}/api/v1/logout`, {
      headers: {
        authorization: `Basic ${Buffer.from("dev-organization:dev-secret-not-for-production-v2").toString("base64")}`,
        "content-type": "text/plain",
      },
      data: token,
    });
    expect(ended.status()).toBe(200);

    await page.goBack({ waitUntil: "commit" });
    await expect(page).toHaveURL(`${APP_A}/account`);
    // Restored from the cache (else this test would not test the re-check)…
    await expect.poll(() => marked(page)).toBe(true);
    // …and the re-check on pageshow replaced the signed-in content.
    await expect(page.getByTestId("logged-out")).toBeVisible();
    await expect(page.getByText(email)).toHaveCount(0);
    await page.context().close();
  });
});
