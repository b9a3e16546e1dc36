import * as path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { ROOT } from "../project";
import { AppPage } from "../tests/pages/app";
import { ProviderHooks } from "../tests/pages/provider-hooks";

// Writes the README's screenshots into docs/screenshots/. Run by
// scripts/screenshots.sh (not by the test command: it changes files).

const OUT = path.join(ROOT, "docs", "screenshots");
const EMAIL = "ada@example.com";

async function shoot(page: Page, name: string): Promise<void> {
  await page.mouse.move(0, 0);
  await page.screenshot({ path: path.join(OUT, `${name}.png`), animations: "disabled", caret: "hide" });
}

async function signedIn(page: Page): Promise<AppPage> {
  const app = new AppPage(page);
  await app.goto("/");
  await app.signIn(EMAIL);
  await app.waitForHydration();
  return app;
}

test.beforeEach(async ({ request }) => {
  await new ProviderHooks(request).reset();
});

test("signed out", async ({ page }) => {
  const app = new AppPage(page);
  await app.goto("/");
  await app.waitForHydration();
  await shoot(page, "signed-out");
});

test("signed in, light, dark and 360 px wide", async ({ page }) => {
  await signedIn(page);
  await shoot(page, "signed-in");
  await page.emulateMedia({ colorScheme: "dark" });
  await shoot(page, "signed-in-dark");
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 360, height: 760 });
  await shoot(page, "signed-in-360");
});

test("logout failure", async ({ page, request }) => {
  const app = await signedIn(page);
  await new ProviderHooks(request).fault({ endpoint: "logout", status: 503 });
  await app.logOut({ everywhere: true });
  await expect(app.logoutError).toBeVisible();
  await shoot(page, "logout-failure");
});

test("logged out of this app only", async ({ page }) => {
  const app = await signedIn(page);
  await app.logOut({ everywhere: false });
  await app.expectSignedOut();
  await shoot(page, "logged-out-here");
});
