import * as path from "node:path";
import { test } from "../fixtures";
import type { Tab } from "../engine";
import { EnginePage, Q } from "../pages";
import { ROOT } from "../../project";

// Firefox's and WebKit's views of the README's main states, beside
// Chromium's (docs/screenshots/<engine>-*.png). Run by scripts/screenshots.sh.

const OUT = path.join(ROOT, "docs", "screenshots");
const EMAIL = "ada@example.com";

async function shoot(tab: Tab, name: string): Promise<void> {
  // Nothing focused or hovered, as in Chromium's.
  await tab.run(() => (document.activeElement as HTMLElement | null)?.blur());
  await tab.screenshot(path.join(OUT, `${tab.engine}-${name}.png`));
}

async function signedIn(tab: Tab): Promise<EnginePage> {
  const app = new EnginePage(tab);
  await app.goto("/");
  await app.signIn(EMAIL);
  await app.waitForHydration();
  return app;
}

test("signed out", async ({ tab }) => {
  const app = new EnginePage(tab);
  await app.goto("/");
  await app.waitForHydration();
  await shoot(tab, "signed-out");
});

test("signed in, and narrow (360 px in Firefox; WebKitGTK's window is at least 447 px)", async ({ tab }) => {
  await signedIn(tab);
  await shoot(tab, "signed-in");
  await tab.setViewport(360, 760);
  await shoot(tab, "signed-in-narrow");
});

test("logout failure", async ({ tab, hooks }) => {
  const app = await signedIn(tab);
  await hooks.fault({ endpoint: "logout", status: 503 });
  await app.logOut({ everywhere: true });
  await app.get({ role: "alert", name: "We couldn't end your CentralAuth session everywhere", partial: true });
  await shoot(tab, "logout-failure");
});

test("logged out of this app only", async ({ tab }) => {
  const app = await signedIn(tab);
  await app.logOut({ everywhere: false });
  await app.get(Q.loggedOut);
  await app.expectSignedOut();
  await shoot(tab, "logged-out-here");
});
