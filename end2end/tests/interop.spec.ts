import { expect, test } from "./fixtures";
import { errors } from "jose";
import { APP_A, AppPage, uniqueEmail } from "./pages/app";
import { NpmSibling } from "./pages/npm-sibling";
import { ProviderHooks, fingerprint } from "./pages/provider-hooks";

let hooks: ProviderHooks;

test.beforeEach(async ({ request }) => {
  hooks = new ProviderHooks(request);
  await hooks.reset();
});

/** App A signed in with the form; the sibling then joins by autologin. */
async function signedIntoUsAndSibling(page: import("@playwright/test").Page, email: string) {
  const sibling = new NpmSibling();
  const a = new AppPage(page, APP_A);
  await a.goto("/");
  await a.signIn(email);
  await a.waitForHydration();
  await sibling.signIn(page.context().request);
  return { a, sibling };
}

test.describe("an app on CentralAuth's NPM library", () => {
  test("decrypts the provider's tokens with jose, as the library does", async ({ page }) => {
    const email = uniqueEmail("jose");
    const { sibling } = await signedIntoUsAndSibling(page, email);

    const access = await sibling.decrypt(sibling.accessToken);
    expect(access.alg).toBe("A256KW");
    expect(access.enc).toBe("A256GCM");
    expect(access.payload.sessionId).toEqual(expect.any(String));
    expect(access.payload.user).toBeUndefined();
    expect(access.payload.exp! * 1000).toBeGreaterThan(Date.now());

    const id = await sibling.decrypt(sibling.idToken);
    expect(id.payload.sessionId).toBe(access.payload.sessionId);
    expect(id.payload.user?.email).toBe(email);

    await expect(sibling.decrypt(sibling.accessToken, "x".repeat(32))).rejects.toBeInstanceOf(
      errors.JWEDecryptionFailed,
    );
  });

  test("shares one provider session with us and is logged out by our log out everywhere", async ({ page, context }) => {
    const email = uniqueEmail("npm-everywhere");
    const { a, sibling } = await signedIntoUsAndSibling(page, email);
    const ours = (await context.cookies(APP_A)).find((c) => c.name === "access_token")!.value;

    expect(await sibling.userinfo()).toMatchObject({ status: 200, body: { email } });
    // The same session behind both apps' tokens, as the provider logged it.
    const { payload } = await sibling.decrypt(sibling.accessToken);
    const sessionOf = async (token: string) =>
      (await hooks.calls()).find((c) => c.token_fingerprint === fingerprint(token) && c.session_id)?.session_id;
    expect(await sessionOf(sibling.accessToken)).toBe(fingerprint(payload.sessionId));
    expect(await sessionOf(ours)).toBe(fingerprint(payload.sessionId));

    await a.logOut({ everywhere: true });
    await a.expectSignedOut();

    const after = await sibling.userinfo();
    expect(after.status).toBe(400);
    expect(after.body.errorCode).toBe("sessionInactive");
  });

  test("its logoutSessionWide signs us out", async ({ page }) => {
    const email = uniqueEmail("npm-session-wide");
    const { a, sibling } = await signedIntoUsAndSibling(page, email);

    expect(await sibling.logoutSessionWide()).toBe(200);
    expect((await sibling.userinfo()).status).toBe(400);

    await a.goto("/");
    await a.expectSignedOut();
  });
});
