import { expect, test } from "./fixtures";
import { HomePage } from "./pages/home";

test.describe("foundation", () => {
  test("server renders the page before any wasm runs", async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto("/");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Sign in, and log out properly");
    await expect(page.locator("html")).toHaveAttribute("data-hydrated", "false");
    await context.close();
  });

  test("wasm hydrates the page without errors", async ({ page }) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    const home = new HomePage(page);
    await home.goto();
    await home.waitForHydration();
    expect(errors).toEqual([]);
  });

  test("server function round-trips from the form without a reload", async ({ page }) => {
    const home = new HomePage(page);
    await home.goto();
    await home.waitForHydration();
    // A full page load would reset this marker; the hydrated form must not cause one.
    await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 42));
    await home.nameInput.fill("Ada");
    await home.greetButton.click();
    await expect(page.getByTestId("greeting")).toHaveText(/^Hello, Ada! \(greeting #\d+ from the server\)$/);
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(42);

    await home.nameInput.fill("   ");
    await home.greetButton.click();
    await expect(page.getByTestId("greeting")).toHaveText("Error: Please enter a name.");
  });

  test("unknown paths get a styled 404 page", async ({ page }) => {
    const response = await page.goto("/no/such/page");
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
    await page.getByRole("link", { name: "Back to the home page" }).click();
    await expect(page).toHaveURL(/\/$/);
  });
});
