import { expect, test } from "./fixtures";
import { AppPage, uniqueEmail } from "./pages/app";
import { ProviderHooks } from "./pages/provider-hooks";

/**
 * Affirmation on /account: the session details need a confirmation of who
 * you are within five minutes; CentralAuth asks even though you are signed
 * in, and only the same account counts.
 */

let hooks: ProviderHooks;

test.beforeEach(async ({ request }) => {
  hooks = new ProviderHooks(request);
  await hooks.reset();
});

async function staleAccountPage(app: AppPage, email: string): Promise<void> {
  await app.goto("/");
  await app.signIn(email);
  await hooks.age(600);
  await app.goto("/account");
  await app.waitForHydration();
}

test("the session details ask for a fresh confirmation, and show after it", async ({ page }) => {
  const app = new AppPage(page);
  const email = uniqueEmail("affirm");
  await staleAccountPage(app, email);
  const details = page.getByRole("region", { name: "Session details" });
  await expect(details.getByText("Shown only within 5 minutes of confirming who you are.")).toBeVisible();
  await expect(page.getByTestId("session-details")).toHaveCount(0);

  await details.getByRole("link", { name: "Confirm it's you" }).click();
  // The provider asks, although it knows this browser, with the e-mail filled in.
  await expect(page.getByRole("heading", { name: "Confirm it's you" })).toBeVisible();
  await expect(page.getByLabel("E-mail address")).toHaveValue(email);
  await page.getByRole("button", { name: "Continue" }).click();

  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId("session-details")).toBeVisible();
  await expect(page.getByTestId("affirmed-at")).not.toHaveText("–");
  await expect(app.userEmail).toHaveText(email);
});

test("confirming as another account keeps the session and says so", async ({ page }) => {
  const app = new AppPage(page);
  const email = uniqueEmail("affirm-other");
  await staleAccountPage(app, email);
  await page.getByRole("link", { name: "Confirm it's you" }).click();
  await page.getByLabel("E-mail address").fill(uniqueEmail("someone-else"));
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByText("You confirmed as a different account, so nothing changed")).toBeVisible();
  await app.goto("/account");
  await expect(app.userEmail).toHaveText(email);
  await expect(page.getByTestId("session-details")).toHaveCount(0);
});
