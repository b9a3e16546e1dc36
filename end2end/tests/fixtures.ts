import { test as base, expect, type Browser, type BrowserContext } from "@playwright/test";

/**
 * Every spec imports `test` from here: it fails any test during which a
 * browser reported a Content-Security-Policy violation, in the default
 * context and in every context a test opens itself (`browser.newContext`,
 * or a browser it launches and hands to `watchBrowser`).
 */
const violations: string[] = [];
const watched = new WeakSet<BrowserContext>();

export function watchContext(context: BrowserContext): BrowserContext {
  if (!watched.has(context)) {
    watched.add(context);
    context.on("console", (msg) => {
      const text = msg.text();
      if (/Content[- ]Security[- ]Policy/i.test(text)) {
        violations.push(`${msg.location().url || "?"}: ${text}`);
      }
    });
  }
  return context;
}

export function watchBrowser(browser: Browser): Browser {
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => watchContext(await newContext(options));
  return browser;
}

export const test = base.extend<{ cspGuard: void }, { cspBrowser: void }>({
  cspBrowser: [
    async ({ browser }, use) => {
      watchBrowser(browser);
      await use();
    },
    { scope: "worker", auto: true },
  ],
  cspGuard: [
    async ({ context }, use) => {
      watchContext(context);
      violations.length = 0;
      await use();
      expect(violations, "Content-Security-Policy violations reported by the browser").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
