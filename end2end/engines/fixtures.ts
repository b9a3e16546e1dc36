import { test as base, expect } from "@playwright/test";

import type { Engine, EngineName, Profile, Tab } from "./engine";
import { launchFirefox } from "./firefox";
import { launchWebKit } from "./webkit";
import { ProviderHooks } from "../tests/pages/provider-hooks";

/**
 * The Firefox and WebKit projects run these specs with Playwright's runner
 * (its reports, its web servers) but drive the browsers themselves: one
 * browser per worker, a fresh profile per test, a screenshot when a test
 * fails, and no console errors or warnings allowed.
 */
export const test = base.extend<
  { profile: Profile; tab: Tab; hooks: ProviderHooks; newProfile: (opts?: { javaScript?: boolean }) => Promise<Profile> },
  { engineName: EngineName; engine: Engine }
>({
  engineName: ["firefox", { option: true, scope: "worker" }],
  engine: [
    async ({ engineName }, use) => {
      const engine = engineName === "firefox" ? await launchFirefox() : await launchWebKit();
      await use(engine);
      await engine.close();
    },
    { scope: "worker" },
  ],
  hooks: [
    async ({ request }, use) => {
      const hooks = new ProviderHooks(request);
      await hooks.reset();
      await use(hooks);
    },
    { auto: true },
  ],
  newProfile: async ({ engine }, use, testInfo) => {
    const opened: Profile[] = [];
    await use(async (opts) => {
      const p = await engine.newProfile(opts);
      opened.push(p);
      return p;
    });
    for (const [i, p] of opened.entries()) {
      if (testInfo.status !== testInfo.expectedStatus) {
        await p.tab.screenshot(testInfo.outputPath(`failed-${i}.png`)).catch(() => undefined);
      }
      const errors = await p.tab.consoleErrors().catch(() => []);
      await p.close();
      expect(errors, `console errors and warnings in ${engine.name}`).toEqual([]);
    }
  },
  profile: async ({ newProfile }, use) => {
    await use(await newProfile());
  },
  tab: async ({ profile }, use) => {
    await use(profile.tab);
  },
});

export { expect };
