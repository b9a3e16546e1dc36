import { expect, test } from "../fixtures";
import { EnginePage, Q, until } from "../pages";
import { APP_A, APP_B, uniqueEmail } from "../../tests/pages/app";
import { PROVIDER } from "../../urls";

/**
 * The core flows of the Chromium suite, in Firefox (Gecko) and WebKit: the
 * engines of Firefox and of Safari (and of every browser on an iPhone).
 */

async function signedIn(page: EnginePage, tag: string): Promise<string> {
  const email = uniqueEmail(`${page.tab.engine}-${tag}`);
  await page.goto("/");
  await page.signIn(email);
  await page.waitForHydration();
  return email;
}

test("every page hydrates without console errors", async ({ tab }) => {
  const app = new EnginePage(tab);
  await signedIn(app, "hydrate");
  for (const path of ["/", "/account", "/logout", "/no-such-page"]) {
    await app.goto(path);
    await app.waitForHydration();
    expect(await tab.consoleErrors(), path).toEqual([]);
  }
});

test("sign in through the provider's form shows the user, with an HttpOnly session cookie", async ({ tab }) => {
  const app = new EnginePage(tab);
  const email = await signedIn(app, "sign-in");
  await app.expectText(Q.userEmail, email);
  expect(await app.cookie("access_token")).toBeTruthy();
  // Not readable by the page's scripts.
  expect(await tab.run(() => document.cookie)).not.toContain("access_token");
});

test("log out of this app only: focus on the heading, announced, no cookie left, and the next sign-in needs no form", async ({ tab, hooks }) => {
  const app = new EnginePage(tab);
  const email = await signedIn(app, "local");
  await app.logOut({ everywhere: false });
  await app.expectFocused(Q.loggedOut);
  await app.expectText(Q.announcer, "You are logged out.");
  await app.expectSignedOut();
  expect(await app.cookie("access_token")).toBeUndefined();
  expect(await hooks.calls("logout")).toEqual([]);

  await app.signInAgain();
  await app.expectText(Q.userEmail, email);
});

test("log out everywhere: focus on the heading, announced, and the provider asks again", async ({ tab, hooks }) => {
  const app = new EnginePage(tab);
  await signedIn(app, "everywhere");
  await app.logOut({ everywhere: true });
  await app.expectFocused(Q.loggedOutEverywhere);
  await app.expectText(Q.announcer, "You are logged out everywhere.");
  await app.expectSignedOut();
  expect(await app.cookie("access_token")).toBeUndefined();
  expect((await hooks.calls("logout")).map((c) => c.status)).toEqual([200]);

  await app.click(Q.signInLink);
  await app.get(Q.providerHeading);
  // The provider dropped its own cookie, which named the ended session.
  expect((await tab.url()).startsWith(`${PROVIDER}/login`)).toBe(true);
  expect(await app.cookie("dev_centralauth_session")).toBeUndefined();
});

test("logging out in one tab updates the other without a reload", async ({ tab }) => {
  const a = new EnginePage(tab);
  await signedIn(a, "two-tabs");
  const other = new EnginePage(await tab.openTab());
  await other.goto("/account");
  await other.waitForHydration();
  await other.get(Q.userEmail);
  await other.tab.run(() => ((window as unknown as { __marker: number }).__marker = 7));

  await tab.bringToFront();
  await a.logOut({ everywhere: false });
  await a.expectSignedOut();
  await other.tab.bringToFront();
  await other.expectSignedOut();
  await other.expectGone({ testId: "account-email" });
  // The same document: updated in place, not reloaded.
  expect(await other.tab.run(() => (window as unknown as { __marker?: number }).__marker)).toBe(7);
});

test("keyboard only: Tab to the toggle, Space, Tab to the button, Enter", async ({ tab, hooks }) => {
  const app = new EnginePage(tab);
  await signedIn(app, "keyboard");
  const toggle = await app.get(Q.everywhereToggle);
  const focused = () => tab.run((e: unknown) => e === document.activeElement, toggle.ref);
  await tab.run(() => (document.activeElement as HTMLElement | null)?.blur());
  for (let i = 0; i < 25 && !(await focused()); i++) await tab.press("Tab");
  expect(await focused(), "Tab reaches the toggle").toBe(true);
  await tab.press("Space");
  expect(await tab.run((e: unknown) => (e as HTMLInputElement).checked, toggle.ref)).toBe(true);
  await tab.press("Tab");
  await app.expectFocused(Q.logoutButton);
  await tab.press("Enter");
  await app.expectFocused(Q.loggedOutEverywhere);
  await app.expectSignedOut();
  expect((await hooks.calls("logout")).map((c) => c.status)).toEqual([200]);
});

test("a session ended in another app is noticed when the page checks again", async ({ tab }) => {
  // App B, configured like a real deployment, joins the provider session
  // without a form; its "log out everywhere" ends A's session too.
  const a = new EnginePage(tab);
  await signedIn(a, "other-app");
  const b = new EnginePage(await tab.openTab(), APP_B);
  await b.goto("/");
  await b.signInAgain();
  await b.waitForHydration();
  await b.logOut({ everywhere: true });
  await b.expectSignedOut();

  await tab.bringToFront();
  await a.goto("/");
  await a.expectSignedOut();
  await until("A's session cookie gone", () => a.cookie("access_token"), (v) => v === undefined);
});
