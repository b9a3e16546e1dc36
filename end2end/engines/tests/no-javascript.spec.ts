import { expect, test } from "../fixtures";
import { EnginePage, Q } from "../pages";
import { APP_A, uniqueEmail } from "../../tests/pages/app";

/** Firefox with page scripts off (the WebKit project skips this file): every form posts, every page says what happened. */
test("without JavaScript, sign in and both logouts work", async ({ newProfile, hooks }) => {
  const { tab } = await newProfile({ javaScript: false });
  const app = new EnginePage(tab);
  const email = uniqueEmail("firefox-nojs");
  await app.goto("/");
  expect(await tab.run(() => document.documentElement.dataset.hydrated)).toBe("false");
  await app.signIn(email);

  await app.logOut({ everywhere: false });
  await app.get(Q.loggedOut);
  await app.expectUrl(`${APP_A}/`);
  await app.expectSignedOut();
  expect(await app.cookie("access_token")).toBeUndefined();
  expect(await hooks.calls("logout")).toEqual([]);

  await app.signInAgain();
  await app.expectText(Q.userEmail, email);
  await app.logOut({ everywhere: true });
  await app.get(Q.loggedOutEverywhere);
  await app.expectSignedOut();
  expect(await app.cookie("access_token")).toBeUndefined();
  expect((await hooks.calls("logout")).map((c) => c.status)).toEqual([200]);
  // Still no script ran.
  expect(await tab.run(() => document.documentElement.dataset.hydrated)).toBe("false");
});
