import { expect, type Page } from "@playwright/test";

/** The home page and the parts of the layout every page shares. */
export class HomePage {
  constructor(readonly page: Page) {}

  async goto(): Promise<void> {
    await this.page.goto("/");
  }

  /** Resolves once the wasm bundle has hydrated the server-rendered page. */
  async waitForHydration(): Promise<void> {
    await expect(this.page.getByTestId("hydration-status")).toHaveText("interactive");
  }

  get nameInput() {
    return this.page.getByLabel("Your name");
  }

  get greetButton() {
    return this.page.getByRole("button", { name: "Greet me" });
  }

}
