import { expect, type BrowserContext, type Page } from "@playwright/test";

import { APP_A } from "../../urls";

export { APP_A, APP_B } from "../../urls";

/** A page of the starter app (A or B): header, session panel, logout form. */
export class AppPage {
  constructor(
    readonly page: Page,
    readonly base: string = APP_A,
  ) {}

  async goto(path = "/"): Promise<void> {
    await this.page.goto(this.base + path);
  }

  async waitForHydration(): Promise<void> {
    // Set by the wasm bundle once it has hydrated the page (src/app.rs).
    await expect(this.page.locator("html")).toHaveAttribute("data-hydrated", "true");
  }

  get header() {
    return this.page.getByRole("banner");
  }

  get signInLink() {
    return this.header.getByRole("link", { name: "Sign in" });
  }

  get userEmail() {
    return this.page.getByTestId("user-email");
  }

  get everywhereToggle() {
    return this.page.getByRole("checkbox", { name: "Log out everywhere" });
  }

  get logoutButton() {
    return this.page.getByRole("form", { name: "Log out" }).getByRole("button");
  }

  get logoutError() {
    return this.page.getByRole("alert").filter({ hasText: "We couldn't end your CentralAuth session everywhere" });
  }

  get tryAgain() {
    return this.page.getByRole("button", { name: "Try again" });
  }

  get thisAppOnly() {
    return this.page.getByRole("button", { name: "Log out of this app only" });
  }

  /** Signs in through the development provider's form. */
  async signIn(email: string): Promise<void> {
    await this.signInLink.click();
    await new ProviderLogin(this.page).signIn(email);
    await expect(this.userEmail).toHaveText(email);
  }

  /** Signs in again while the provider still knows this browser (no form). */
  async signInAgain(): Promise<void> {
    await this.signInLink.click();
    await expect(this.userEmail).toBeVisible();
  }

  async logOut(opts: { everywhere: boolean }): Promise<void> {
    await this.everywhereToggle.setChecked(opts.everywhere);
    await this.logoutButton.click();
  }

  async expectSignedOut(): Promise<void> {
    await expect(this.signInLink).toBeVisible();
    await expect(this.userEmail).toHaveCount(0);
  }
}

/** The development CentralAuth's sign-in page. */
export class ProviderLogin {
  constructor(readonly page: Page) {}

  get heading() {
    return this.page.getByRole("heading", { name: "Sign in" });
  }


  async signIn(email: string): Promise<void> {
    await expect(this.heading).toBeVisible();
    await this.page.getByLabel("E-mail address").fill(email);
    await this.page.getByRole("button", { name: "Continue" }).click();
  }
}

export async function cookie(context: BrowserContext, base: string, name: string) {
  const cookies = await context.cookies(base);
  return cookies.find((c) => c.name === name);
}

/** A unique address per test, so tests never share a provider session. */
export function uniqueEmail(tag: string): string {
  return `${tag.toLowerCase().replace(/[^a-z0-9]+/g, "-").slice(0, 40)}-${Date.now().toString(36)}@example.com`;
}
