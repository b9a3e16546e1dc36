import puppeteer, { type Browser, type BrowserContext, type ElementHandle, type Page } from "puppeteer-core";

import type { Cookie, Engine, Found, Key, Profile, Tab } from "./engine";
import { locateInPage, type Query } from "./locate";

/** Debian's Firefox ESR (scripts/setup.sh), over WebDriver BiDi. */
const FIREFOX = process.env.FIREFOX_PATH ?? "/usr/bin/firefox-esr";

function start(javaScript: boolean): Promise<Browser> {
  return puppeteer.launch({
    browser: "firefox",
    executablePath: FIREFOX,
    headless: true,
    defaultViewport: { width: 1280, height: 800 },
    // BiDi has no per-page switch for scripts in this Firefox; a second
    // browser with the preference off serves the no-JavaScript flows.
    extraPrefsFirefox: javaScript ? {} : { "javascript.enabled": false },
  });
}

class FirefoxTab implements Tab {
  readonly engine = "firefox" as const;
  private readonly errors: string[] = [];
  private readonly opened: FirefoxTab[] = [];

  constructor(
    readonly page: Page,
    private readonly context: BrowserContext,
  ) {
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warn") this.errors.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => this.errors.push(`uncaught: ${String(e)}`));
  }

  async goto(url: string): Promise<void> {
    await this.page.goto(url);
  }

  async url(): Promise<string> {
    return this.page.url();
  }

  async back(): Promise<void> {
    await this.page.goBack();
  }

  async run<T, A extends unknown[]>(fn: (...args: A) => T | Promise<T>, ...args: A): Promise<T> {
    return (await this.page.evaluate(fn as never, ...(args as unknown as never[]))) as T;
  }

  async find(query: Query): Promise<Found | null> {
    const handle = await this.page.evaluateHandle(locateInPage, query);
    const el = handle.asElement();
    if (!el) {
      await handle.dispose();
      return null;
    }
    return { ref: el };
  }

  async click(el: Found): Promise<void> {
    // A mouse click where the element is, as a user's: ElementHandle.click
    // closes this Firefox when page scripts are off.
    const [x, y] = await (el.ref as ElementHandle<Element>).evaluate((node) => {
      node.scrollIntoView({ block: "center" });
      const r = node.getBoundingClientRect();
      return [r.x + r.width / 2, r.y + r.height / 2];
    });
    await this.page.mouse.click(x, y);
  }

  async type(el: Found, text: string): Promise<void> {
    await this.click(el);
    await this.page.keyboard.type(text);
  }

  async press(key: Key): Promise<void> {
    await this.page.keyboard.press(key === "Space" ? " " : key);
  }

  async cookies(): Promise<Cookie[]> {
    const here = this.page.url();
    return (await this.context.cookies())
      .filter((c) => {
        const u = new URL(here);
        return u.hostname === c.domain.replace(/^\./, "") && u.pathname.startsWith(c.path);
      })
      .map((c) => ({ name: c.name, value: c.value, path: c.path }));
  }

  async screenshot(file: string): Promise<void> {
    await this.page.screenshot({ path: file as `${string}.png` });
  }

  async setViewport(width: number, height: number): Promise<void> {
    await this.page.setViewport({ width, height });
  }

  async consoleErrors(): Promise<string[]> {
    const theirs = await Promise.all(this.opened.map((t) => t.consoleErrors()));
    return [...this.errors, ...theirs.flat()];
  }

  async openTab(): Promise<Tab> {
    const tab = new FirefoxTab(await this.context.newPage(), this.context);
    this.opened.push(tab);
    return tab;
  }

  async bringToFront(): Promise<void> {
    await this.page.bringToFront();
  }
}

export async function launchFirefox(): Promise<Engine> {
  const browser = await start(true);
  let withoutJs: Browser | undefined;
  return {
    name: "firefox",
    async newProfile(opts = {}): Promise<Profile> {
      const javaScript = opts.javaScript ?? true;
      if (!javaScript) withoutJs ??= await start(false);
      const context = await (javaScript ? browser : withoutJs!).createBrowserContext();
      const tab = new FirefoxTab(await context.newPage(), context);
      return { tab, close: () => context.close() };
    },
    async close() {
      await withoutJs?.close();
      await browser.close();
    },
  };
}
