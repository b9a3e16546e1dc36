import { type Browser, type Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { APP_A, APP_B, AppPage, cookie, uniqueEmail } from "./pages/app";
import { ProviderHooks, fingerprint } from "./pages/provider-hooks";

let hooks: ProviderHooks;

test.beforeEach(async ({ request }) => {
  hooks = new ProviderHooks(request);
  await hooks.reset();
});

/** Signs one browser into app A with the form, then into app B by autologin. */
async function signedIntoBothApps(page: Page, email: string): Promise<{ a: AppPage; b: AppPage }> {
  const a = new AppPage(page, APP_A);
  await a.goto("/");
  await a.signIn(email);
  const bPage = await page.context().newPage();
  const b = new AppPage(bPage, APP_B);
  await b.goto("/");
  await b.signInLink.click();
  // No form: the provider session is shared.
  await expect(b.userEmail).toHaveText(email);
  await a.page.bringToFront();
  await a.waitForHydration();
  return { a, b };
}

test.describe("logout", () => {
  test("local logout ends the session here only", async ({ page, context }) => {
    const email = uniqueEmail("local");
    const { a, b } = await signedIntoBothApps(page, email);
    await hooks.reset();
    await a.page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

    await a.logOut({ everywhere: false });
    await a.expectSignedOut();
    // Updated in place, without a full page load.
    expect(await a.page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
    expect(await cookie(context, APP_A, "access_token")).toBeUndefined();
    expect(await hooks.calls("logout")).toEqual([]);

    await b.goto("/");
    await expect(b.userEmail).toHaveText(email);
  });

  test("logout everywhere ends the session in the other app", async ({ page, context }) => {
    const { a, b } = await signedIntoBothApps(page, uniqueEmail("everywhere"));
    const token = (await cookie(context, APP_A, "access_token"))!.value;
    await hooks.reset();

    await a.logOut({ everywhere: true });
    await a.expectSignedOut();
    expect(await cookie(context, APP_A, "access_token")).toBeUndefined();

    const logouts = await hooks.calls("logout");
    expect(logouts).toHaveLength(1);
    expect(logouts[0]).toMatchObject({
      basic_auth_ok: true,
      content_type: "text/plain",
      token_fingerprint: fingerprint(token),
      status: 200,
    });

    await b.goto("/");
    await b.expectSignedOut();
    expect(await cookie(context, APP_B, "access_token")).toBeUndefined();
  });

  test("both modes work with JavaScript disabled", async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const a = new AppPage(page, APP_A);
    const email = uniqueEmail("nojs");

    await a.goto("/");
    await a.signIn(email);
    let response = page.waitForResponse((r) => r.url().endsWith("/api/auth/fn/logout"));
    await a.logOut({ everywhere: false });
    expect((await response).status()).toBe(303);
    await expect(page).toHaveURL(`${APP_A}/`);
    await a.expectSignedOut();
    expect(await hooks.calls("logout")).toEqual([]);

    await a.signInAgain();
    response = page.waitForResponse((r) => r.url().endsWith("/api/auth/fn/logout"));
    await a.logOut({ everywhere: true });
    expect((await response).status()).toBe(303);
    await a.expectSignedOut();
    expect(await hooks.calls("logout")).toHaveLength(1);
    expect(await cookie(context, APP_A, "access_token")).toBeUndefined();
    await context.close();
  });

  test("a failing provider keeps the user signed in, with try again and this-app-only", async ({ page, context }) => {
    const a = new AppPage(page);
    await a.goto("/");
    await a.signIn(uniqueEmail("provider-down"));
    await a.waitForHydration();

    await hooks.fault({ endpoint: "logout", status: 500, message: "boom" });
    await a.logOut({ everywhere: true });
    await expect(a.logoutError).toBeVisible();
    await expect(a.userEmail).toBeVisible();
    expect(await cookie(context, APP_A, "access_token")).toBeDefined();

    // Recovery: the same request now succeeds.
    await hooks.clearFaults();
    await a.tryAgain.click();
    await a.expectSignedOut();
    expect((await hooks.calls("logout")).map((c) => c.status)).toEqual([500, 200]);

    // A timeout, then "this app only". The provider session ended above.
    await a.signIn(uniqueEmail("provider-slow"));
    await hooks.reset();
    await hooks.fault({ endpoint: "logout", delay_ms: 4000 });
    await a.logOut({ everywhere: true });
    await expect(a.logoutError).toBeVisible({ timeout: 6_000 });
    await expect(a.userEmail).toBeVisible();
    await a.thisAppOnly.click();
    await a.expectSignedOut();
    expect(await cookie(context, APP_A, "access_token")).toBeUndefined();
  });

  test("a failing provider keeps the user signed in without JavaScript too", async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const a = new AppPage(page);
    await a.goto("/");
    await a.signIn(uniqueEmail("nojs-down"));
    await hooks.fault({ endpoint: "logout", status: 503, times: 1 });
    await a.logOut({ everywhere: true });
    await expect(page).toHaveURL(/\/logout\?failed=everywhere/);
    await expect(a.logoutError).toBeVisible();
    await expect(a.userEmail).toBeVisible();
    await a.tryAgain.click();
    await a.expectSignedOut();
    await context.close();
  });

  test("the return URL is honoured on this app and refused elsewhere", async ({ page }) => {
    const a = new AppPage(page);
    await a.goto("/");
    await a.signIn(uniqueEmail("return-url"));
    await a.goto("/logout?return_to=%2Faccount%3Ftab%3D1");
    await a.waitForHydration();
    await a.logOut({ everywhere: false });
    await expect(page).toHaveURL(`${APP_A}/account?tab=1`);
    await expect(page.getByTestId("logged-out")).toBeVisible();

    // Dot segments that normalise to //evil.example (the review's one-click attack).
    for (const hostile of ["https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)", "/.//evil.example", "/%2e//evil.example"]) {
      await a.goto("/");
      await a.signInAgain();
      // In by the GET door, as a link would: it leads to the page with the button.
      await a.goto(`/api/auth/logout?return_to=${encodeURIComponent(hostile)}`);
      await a.waitForHydration();
      await a.logOut({ everywhere: false });
      await expect(page, hostile).toHaveURL(`${APP_A}/`);
      await a.expectSignedOut();
    }
  });

  test("the plain route validates the return URL and clears every auth cookie", async ({ request }) => {
    for (const [returnTo, expected] of [
      ["/account", "/account"],
      ["https://evil.example", "/"],
      ["//evil.example", "/"],
      ["/\\evil.example", "/"],
      ["javascript:alert(1)", "/"],
      ["/.//evil.example", "/"],
      ["/..//evil.example", "/"],
      ["/%2E%2e//evil.example", "/"],
    ]) {
      const res = await request.post(`${APP_A}/api/auth/logout`, {
        form: { return_to: returnTo, everywhere: "true" },
        maxRedirects: 0,
      });
      expect(res.status(), returnTo).toBe(303);
      expect(res.headers()["location"], returnTo).toBe(expected);
      const cleared = res.headersArray().filter((h) => h.name.toLowerCase() === "set-cookie").map((h) => h.value);
      expect(cleared.map((c) => c.split("=")[0]).sort()).toEqual(["access_token", "code_verifier", "id_token"]);
    }
    // No session cookie: nothing to end at CentralAuth.
    expect(await hooks.calls("logout")).toEqual([]);
  });

  test("a cross-site POST to the logout endpoints is refused", async ({ page, context }) => {
    const a = new AppPage(page);
    const email = uniqueEmail("csrf");
    await a.goto("/");
    await a.signIn(email);

    const attacker = await context.newPage();
    for (const endpoint of ["/api/auth/logout", "/api/auth/fn/logout"]) {
      await attacker.goto(`${APP_B}/`);
      const response = attacker.waitForResponse((r) => r.url() === `${APP_A}${endpoint}`);
      await attacker.evaluate(
        ({ action }) => {
          const form = document.createElement("form");
          form.method = "POST";
          form.action = action;
          for (const [k, v] of [["everywhere", "true"], ["return_to", "/"]]) {
            const input = document.createElement("input");
            input.type = "hidden";
            input.name = k;
            input.value = v;
            form.appendChild(input);
          }
          document.body.appendChild(form);
          form.submit();
        },
        { action: `${APP_A}${endpoint}` },
      );
      expect((await response).status(), endpoint).toBe(403);
      await expect(attacker.getByRole("heading", { name: "Request refused" })).toBeVisible();
    }
    expect(await hooks.calls("logout")).toEqual([]);
    await a.goto("/");
    await expect(a.userEmail).toHaveText(email);
  });

  test("logging out in one tab updates the other without a reload", async ({ page, context }) => {
    const a = new AppPage(page);
    await a.goto("/");
    await a.signIn(uniqueEmail("two-tabs"));
    const other = new AppPage(await context.newPage());
    await other.goto("/account");
    await other.waitForHydration();
    await expect(other.userEmail).toBeVisible();
    // A reload or navigation would lose this marker and fire framenavigated.
    await other.page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 7));
    let navigations = 0;
    other.page.on("framenavigated", () => navigations++);

    await a.page.bringToFront();
    await a.waitForHydration();
    await a.logOut({ everywhere: false });
    await a.expectSignedOut();
    await expect(other.signInLink).toBeVisible({ timeout: 1_000 });
    await expect(other.page.getByTestId("account-email")).toHaveCount(0);
    expect(await other.page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(7);
    expect(navigations).toBe(0);
  });

  test("while the provider is slow the button is busy, keeps the focus, and a double click makes one call", async ({ page }) => {
    const a = new AppPage(page);
    await a.goto("/");
    await a.signIn(uniqueEmail("slow"));
    await a.waitForHydration();
    await hooks.reset();
    await hooks.fault({ endpoint: "logout", delay_ms: 1000 });

    await a.everywhereToggle.check();
    await a.logoutButton.dblclick();
    // aria-disabled, not disabled: a disabled button would drop the focus to <body>.
    await expect(a.logoutButton).toHaveAttribute("aria-disabled", "true");
    await expect(a.logoutButton).toHaveText("Logging out...");
    await expect(a.logoutButton).toBeFocused();
    // Forced past Playwright's own wait for an enabled button: the app must ignore it.
    await a.logoutButton.click({ force: true });
    await a.expectSignedOut();
    expect(await hooks.calls("logout")).toHaveLength(1);
  });
});

test("logout without a session succeeds without calling CentralAuth", async ({ browser }: { browser: Browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${APP_A}/logout`);
  await expect(page.getByTestId("logged-out")).toBeVisible();
  const res = await page.request.post(`${APP_A}/api/auth/logout`, {
    form: { everywhere: "true" },
    maxRedirects: 0,
  });
  expect(res.status()).toBe(303);
  expect(await hooks.calls("logout")).toEqual([]);
  await context.close();
});
