import { expect, test } from "../fixtures";
import { EnginePage, Q, until } from "../pages";
import { APP_A, uniqueEmail } from "../../tests/pages/app";

/**
 * Back after a logout. WebKit restores even `no-store` pages from its
 * back/forward cache over http, so the signed-in page comes back as it was
 * and only the session re-check on `pageshow` can correct it. These tests
 * sample the first frame the restored page paints: it must not show the
 * user's e-mail, not even for the few milliseconds the check takes.
 */

type Restored = { atPageshow: boolean; firstFrame: boolean | null };

/** Runs in the page: records, on a restore from the cache, whether the e-mail is visible. */
function sampleRestore(email: string): void {
  const w = window as unknown as { __restored?: Restored };
  const shows = () =>
    Array.from(document.querySelectorAll("body *")).some(
      (el) =>
        el.children.length === 0 &&
        (el.textContent ?? "").includes(email) &&
        el.getClientRects().length > 0 &&
        getComputedStyle(el).visibility !== "hidden",
    );
  // Registered after the app's own listener, so it sees what that did.
  addEventListener("pageshow", (e) => {
    if (!e.persisted) return;
    const sample: Restored = { atPageshow: shows(), firstFrame: null };
    w.__restored = sample;
    requestAnimationFrame(() => (sample.firstFrame = shows()));
  });
}

for (const everywhere of [false, true]) {
  test(`Back after ${everywhere ? "log out everywhere" : "log out of this app only"} never paints the user's details`, async ({ tab, engineName }) => {
    const app = new EnginePage(tab);
    const email = uniqueEmail(`${engineName}-back-${everywhere}`);
    await app.goto("/");
    await app.signIn(email);
    // A full load of a signed-in page, then another document to log out on.
    await app.goto("/");
    await app.waitForHydration();
    await app.expectText(Q.userEmail, email);
    await tab.run(sampleRestore, email);
    await app.goto("/logout");
    await app.waitForHydration();
    await app.logOut({ everywhere });
    await app.expectSignedOut();

    // Through /logout's entry (same document) into the signed-in page's.
    await tab.back();
    await tab.back();
    await app.expectUrl(`${APP_A}/`);
    const restored = await until(
      "the restored page's first frame, or a fresh load",
      () => tab.run(() => (window as unknown as { __restored?: Restored }).__restored ?? "loaded afresh"),
      (r) => r === "loaded afresh" || r.firstFrame !== null,
    );
    if (engineName === "webkit") {
      // Else this test would not test the flash.
      expect(restored, "WebKit restored the page from its back/forward cache").not.toBe("loaded afresh");
    }
    if (restored !== "loaded afresh") {
      expect(restored, "the e-mail was visible on the restored page").toEqual({ atPageshow: false, firstFrame: false });
    }
    await app.expectSignedOut();
    await app.expectGone({ testId: "user-email" });
    expect(await tab.run((e: string) => document.body.innerText.includes(e), email)).toBe(false);
    // Shown again once the check answered.
    expect(await tab.run(() => document.documentElement.hasAttribute("data-session"))).toBe(false);
  });
}
