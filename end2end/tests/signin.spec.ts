import { createHmac } from "node:crypto";
import { expect, test } from "./fixtures";
import { APP_A, AppPage, ProviderLogin, cookie, uniqueEmail } from "./pages/app";
import { ProviderHooks } from "./pages/provider-hooks";
import { PACKAGE_NAME } from "../project";

test.beforeEach(async ({ request }) => {
  await new ProviderHooks(request).reset();
});

/** A state signed like app A does, with its development secret, at a chosen time. */
function signedState(issuedUnix: number): string {
  const key = createHmac("sha256", "dev-secret-not-for-production-v2").update(`${PACKAGE_NAME}/state/v1`).digest();
  const payload = `v1.bm9uY2Vub25jZQ.${issuedUnix}`;
  return `${payload}.${createHmac("sha256", key).update(payload).digest("base64url")}`;
}

test.describe("sign-in", () => {
  test("sign in shows the e-mail and avatar", async ({ page }) => {
    const app = new AppPage(page);
    const email = uniqueEmail("shows-email");
    await app.goto("/");
    await expect(page.getByText("development sign-in")).toBeVisible();
    await app.signIn(email);
    await expect(app.header.locator("img.avatar")).toHaveAttribute("src", /\/dev-centralauth\/avatar\/s-[0-9a-f]{64}\.svg$/);
    await expect(page.getByTestId("session-panel")).toContainText(`You are signed in as ${email}`);
  });

  test("session cookies have the specified attributes", async ({ page, context }) => {
    const app = new AppPage(page);
    await app.goto("/");
    await app.signInLink.click();
    await expect(new ProviderLogin(page).heading).toBeVisible();

    const verifier = await cookie(context, APP_A, "code_verifier");
    expect(verifier).toBeDefined();
    expect(verifier!.value.length).toBeGreaterThanOrEqual(43);
    expect(verifier).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/", secure: false });
    expect(verifier!.expires - Date.now() / 1000).toBeGreaterThan(3500);
    expect(verifier!.expires - Date.now() / 1000).toBeLessThanOrEqual(3600);

    await new ProviderLogin(page).signIn(uniqueEmail("cookie-attrs"));
    await expect(app.userEmail).toBeVisible();
    const session = await cookie(context, APP_A, "access_token");
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/", secure: false });
    // The provider's tokens live 24 hours; the cookie follows expires_in.
    expect(session!.expires - Date.now() / 1000).toBeGreaterThan(86_000);
    expect(await cookie(context, APP_A, "code_verifier")).toBeUndefined();
    // The token never reaches the page itself (HTML or hydration data).
    await page.reload();
    await expect(app.userEmail).toBeVisible();
    expect(await page.content()).not.toContain(session!.value);
    const rawHtml = await (await page.request.get(`${APP_A}/account`)).text();
    expect(rawHtml).toContain("Your account");
    expect(rawHtml).not.toContain(session!.value);
    // The provider's own cookie stays on its own path.
    const providerCookie = await cookie(context, `${APP_A}/dev-centralauth/`, "dev_centralauth_session");
    expect(providerCookie?.path).toBe("/dev-centralauth");
  });

  test("return_to=/account lands there after sign-in", async ({ page }) => {
    const app = new AppPage(page);
    const email = uniqueEmail("return-account");
    // Anonymous visitors of /account are sent to sign in, and brought back.
    await app.goto("/account");
    await new ProviderLogin(page).signIn(email);
    await expect(page).toHaveURL(`${APP_A}/account`);
    await expect(page.getByTestId("account-email")).toHaveText(email);
  });

  test("a hostile return_to lands on /", async ({ page }) => {
    for (const hostile of ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)", "/.//evil.example"]) {
      await page.context().clearCookies();
      await page.goto(`${APP_A}/api/auth/login?return_to=${encodeURIComponent(hostile)}`);
      await new ProviderLogin(page).signIn(uniqueEmail("hostile"));
      await expect(page, hostile).toHaveURL(`${APP_A}/`);
      await expect(new AppPage(page).userEmail).toBeVisible();
    }
  });

  test("a tampered state is refused with a readable page", async ({ page, context }) => {
    await page.goto(`${APP_A}/api/auth/login`);
    const url = new URL(page.url());
    const state = url.searchParams.get("state")!;
    url.searchParams.set("state", state.slice(0, -4) + (state.endsWith("AAAA") ? "BBBB" : "AAAA"));
    await page.goto(url.toString());
    await new ProviderLogin(page).signIn(uniqueEmail("tampered"));
    await expect(page).toHaveURL(/\/auth\/error\?/);
    await expect(page.getByTestId("signin-error")).toHaveText(/could not be verified/);
    await expect(page.getByRole("link", { name: "Try signing in again" })).toBeVisible();
    expect(await cookie(context, APP_A, "access_token")).toBeUndefined();
  });

  test("an expired state is refused with a readable page", async ({ page, context }) => {
    await page.goto(`${APP_A}/api/auth/login`);
    const url = new URL(page.url());
    url.searchParams.set("state", signedState(Math.floor(Date.now() / 1000) - 11 * 60));
    await page.goto(url.toString());
    await new ProviderLogin(page).signIn(uniqueEmail("expired"));
    await expect(page.getByTestId("signin-error")).toHaveText("Your sign-in took too long and has expired.");
    expect(await cookie(context, APP_A, "access_token")).toBeUndefined();

    // Control: the same forged-by-the-test signing with a fresh time is accepted,
    // so the refusal above was the expiry and nothing else.
    await page.goto(`${APP_A}/api/auth/login`);
    const fresh = new URL(page.url());
    fresh.searchParams.set("state", signedState(Math.floor(Date.now() / 1000)));
    await page.goto(fresh.toString());
    await expect(new AppPage(page).userEmail).toBeVisible();
  });

  test("a provider error on the callback is shown readably", async ({ page }) => {
    await page.goto(`${APP_A}/api/auth/login`);
    await page.getByRole("button", { name: "Cancel sign-in" }).click();
    await expect(page.getByRole("heading", { name: "Sign-in did not complete" })).toBeVisible();
    await expect(page.getByTestId("signin-error")).toHaveText("CentralAuth could not sign you in.");
    await expect(page.getByText("CentralAuth said:")).toContainText("The sign-in was cancelled.");
  });

  test("a crafted error link cannot put words in CentralAuth's mouth", async ({ page }) => {
    const app = new AppPage(page);
    const spoof = "Your account is locked. Call +1 555 0100 to restore it.";
    const query = new URLSearchParams({ reason: "verify_refused", code: "accountLocked", detail: spoof, sig: "forged" });
    await app.goto(`/auth/error?${query}`);
    await app.waitForHydration();
    await expect(page.getByTestId("signin-error")).toHaveText("CentralAuth refused to complete the sign-in.");
    await expect(page.getByText("Call +1 555 0100")).toHaveCount(0);
    await expect(page.getByText("accountLocked")).toHaveCount(0);
    await expect(page.getByText("CentralAuth said:")).toHaveCount(0);
  });

  test("a crafted error callback shows only the fixed message", async ({ page }) => {
    const spoof = "Your account is locked. Call +1 555 0100 to restore it.";
    const query = new URLSearchParams({ error: "accountLocked", error_description: spoof });
    await page.goto(`${APP_A}/api/auth/callback?${query}`);
    await expect(page.getByRole("heading", { name: "Sign-in did not complete" })).toBeVisible();
    await expect(page.getByTestId("signin-error")).toHaveText("CentralAuth could not sign you in.");
    await expect(page.getByText("Call +1 555 0100")).toHaveCount(0);
    await expect(page.getByText("CentralAuth said:")).toHaveCount(0);
  });

  test("the provider keeps what was typed when the e-mail is invalid", async ({ page }) => {
    await page.goto(`${APP_A}/api/auth/login`);
    await page.getByLabel("E-mail address").fill("not-an-address");
    // Skip the browser's own type=email check to see the server's answer.
    await page.locator("form").evaluate((f) => f.setAttribute("novalidate", ""));
    await page.getByRole("button", { name: "Continue" }).click();
    await expect(page.getByRole("alert")).toContainText("does not look like an e-mail address");
    await expect(page.getByLabel("E-mail address")).toHaveValue("not-an-address");
  });

  test("the signed-in page is not served from cache", async ({ page }) => {
    const app = new AppPage(page);
    await app.goto("/");
    await app.signIn(uniqueEmail("no-store"));
    for (const path of ["/", "/account"]) {
      const res = await page.goto(APP_A + path);
      expect(res?.headers()["cache-control"], path).toContain("no-store");
    }
  });

  test("GET /api/auth/user answers JSON, null when logged out", async ({ page }) => {
    const before = await page.request.get(`${APP_A}/api/auth/user`);
    expect(await before.json()).toBeNull();
    const app = new AppPage(page);
    const email = uniqueEmail("user-json");
    await app.goto("/");
    await app.signIn(email);
    const after = await page.request.get(`${APP_A}/api/auth/user`);
    expect(after.headers()["cache-control"]).toContain("no-store");
    const user = await after.json();
    expect(user.email).toBe(email);
    expect(JSON.stringify(user)).not.toContain("dev_at_");
  });

  test("a session ended at CentralAuth signs the user out here and clears the cookie", async ({ page, context, request }) => {
    const app = new AppPage(page);
    await app.goto("/");
    await app.signIn(uniqueEmail("ended-elsewhere"));
    const token = (await cookie(context, APP_A, "access_token"))!.value;
    // Another app ends the session (what "log out everywhere" does elsewhere).
    const res = await request.post(`${APP_A}/dev-centralauth/api/v1/logout`, {
      headers: {
        authorization: `Basic ${Buffer.from("dev-organization:dev-secret-not-for-production-v2").toString("base64")}`,
        "content-type": "text/plain",
      },
      data: token,
    });
    expect(res.status()).toBe(200);
    await app.goto("/");
    await app.expectSignedOut();
    expect(await cookie(context, APP_A, "access_token")).toBeUndefined();
  });
});
