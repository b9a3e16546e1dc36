import { AppPage } from "./app";

/** The home page: the shared layout plus the server-function example. */
export class HomePage extends AppPage {
  get nameInput() {
    return this.page.getByLabel("Your name");
  }

  get greetButton() {
    return this.page.getByRole("button", { name: "Greet me" });
  }
}
