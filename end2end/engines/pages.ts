import type { Found, Tab } from "./engine";
import { describe, type Query } from "./locate";
import { APP_A } from "../urls";

/**
 * The Chromium suite's `AppPage` and `ProviderLogin` for the other engines:
 * the same names and the same roles, over a {@link Tab}. Assertions poll,
 * like Playwright's `expect`, for up to five seconds.
 */

const TIMEOUT_MS = 5_000;

/**
 * Polls `probe` until `accept` holds. A probe that throws (the page is
 * between documents) is tried again.
 */
export async function until<T>(
  what: string,
  probe: () => Promise<T>,
  accept: (v: T) => boolean = Boolean,
  timeoutMs = TIMEOUT_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (accept(v)) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const Q = {
  signInLink: { role: "link", name: "Sign in", within: { role: "banner" } },
  userEmail: { testId: "user-email" },
  everywhereToggle: { role: "checkbox", name: "Log out everywhere" },
  logoutButton: { role: "button", within: { role: "form", name: "Log out" } },
  loggedOut: { role: "heading", name: "You are logged out" },
  loggedOutEverywhere: { role: "heading", name: "You are logged out everywhere" },
  announcer: { testId: "announcer" },
  providerHeading: { role: "heading", name: "Sign in" },
  providerEmail: { role: "textbox", name: "E-mail address" },
  providerContinue: { role: "button", name: "Continue" },
} satisfies Record<string, Query>;

export class EnginePage {
  constructor(
    readonly tab: Tab,
    readonly base: string = APP_A,
  ) {}

  async goto(path = "/"): Promise<void> {
    await this.tab.goto(this.base + path);
  }

  async waitForHydration(): Promise<void> {
    await until("hydration (html[data-hydrated=true])", () =>
      this.tab.run(() => document.documentElement.dataset.hydrated === "true"),
    );
  }

  /** Waits for a visible element matching `q`. */
  async get(q: Query): Promise<Found> {
    return (await until(describe(q), () => this.tab.find(q))) as Found;
  }

  async click(q: Query): Promise<void> {
    await this.tab.click(await this.get(q));
  }

  async text(q: Query): Promise<string> {
    const el = await this.get(q);
    return this.tab.run((e: unknown) => (e as Element).textContent?.trim() ?? "", el.ref);
  }

  async expectGone(q: Query): Promise<void> {
    await until(`no ${describe(q)}`, async () => (await this.tab.find(q)) === null);
  }

  async expectText(q: Query, text: string): Promise<void> {
    await until(`${describe(q)} to read "${text}"`, () => this.text(q), (t) => t === text);
  }

  /** Whether the element matching `q` has the focus. */
  async expectFocused(q: Query): Promise<void> {
    await until(`${describe(q)} focused`, async () => {
      const el = await this.tab.find(q);
      return el !== null && this.tab.run((e: unknown) => e === document.activeElement, el.ref);
    });
  }

  async expectUrl(url: string): Promise<void> {
    await until(`the address ${url}`, () => this.tab.url(), (u) => u === url);
  }

  /** Signs in through the development provider's form. */
  async signIn(email: string): Promise<void> {
    await this.click(Q.signInLink);
    await new EngineProviderLogin(this.tab).signIn(email);
    await this.expectText(Q.userEmail, email);
  }

  /** Signs in again while the provider still knows this browser (no form). */
  async signInAgain(): Promise<void> {
    await this.click(Q.signInLink);
    await this.get(Q.userEmail);
  }

  async logOut(opts: { everywhere: boolean }): Promise<void> {
    const toggle = await this.get(Q.everywhereToggle);
    const checked = await this.tab.run((e: unknown) => (e as HTMLInputElement).checked, toggle.ref);
    if (checked !== opts.everywhere) await this.tab.click(toggle);
    await this.click(Q.logoutButton);
  }

  async expectSignedOut(): Promise<void> {
    await this.get(Q.signInLink);
    await this.expectGone(Q.userEmail);
  }

  async cookie(name: string): Promise<string | undefined> {
    return (await this.tab.cookies()).find((c) => c.name === name)?.value;
  }
}

/** The development CentralAuth's sign-in page. */
export class EngineProviderLogin {
  constructor(readonly tab: Tab) {}

  async signIn(email: string): Promise<void> {
    const page = new EnginePage(this.tab);
    await page.get(Q.providerHeading);
    await this.tab.type(await page.get(Q.providerEmail), email);
    await page.click(Q.providerContinue);
  }
}
