import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { type APIResponse, type Page, type Response } from "@playwright/test";
import { expect, test } from "./fixtures";
import { PACKAGE_NAME, ROOT } from "../project";
import { PROXY, PROXY_PEER, REPLICA_ADDRS, STANDALONE_PROVIDER } from "../urls";
import { AppPage, ProviderLogin, uniqueEmail } from "./pages/app";
import { ProviderHooks } from "./pages/provider-hooks";

// Production as deployed (end2end/topology/nginx.conf): TLS ends at nginx,
// which balances over two replicas of the release binary; the replicas talk
// to a standalone CentralAuth with credentials, as production does.

let hooks: ProviderHooks;

test.beforeEach(async ({ request }) => {
  hooks = new ProviderHooks(request, STANDALONE_PROVIDER);
  await hooks.reset();
});

/** Sends the page's next requests to replica 1 or 2 (nginx's test-only map). */
async function pinTo(page: Page, replica: 1 | 2): Promise<void> {
  await page.setExtraHTTPHeaders({ "x-e2e-replica": String(replica) });
}

/** Which replica answered, as nginx reports it. */
function replicaOf(res: Response | APIResponse): string | undefined {
  return res.headers()["x-e2e-upstream"];
}

function isPath(res: Response, p: string): boolean {
  const url = new URL(res.url());
  return url.origin === PROXY && url.pathname === p;
}

/** Signs in through the proxy: the sign-in starts on replica 1 and finishes on replica 2. */
async function signInAcrossReplicas(page: Page, email: string): Promise<{ app: AppPage; started: string; finished: string }> {
  const app = new AppPage(page, PROXY);
  await pinTo(page, 1);
  await app.goto("/");
  const login = page.waitForResponse((r) => isPath(r, "/api/auth/login"));
  await app.signInLink.click();
  const started = replicaOf(await login);
  await expect(new ProviderLogin(page).heading).toBeVisible();

  await pinTo(page, 2);
  const callback = page.waitForResponse((r) => isPath(r, "/api/auth/callback"));
  await new ProviderLogin(page).signIn(email);
  const callbackResponse = await callback;
  const finished = replicaOf(callbackResponse);
  await expect(app.userEmail).toHaveText(email);
  expect(new URL(page.url()).origin).toBe(PROXY);
  return { app, started: started ?? "", finished: finished ?? "" };
}

test.describe("production topology: nginx (TLS) in front of two replicas", () => {
  test("a sign-in started on one replica completes on the other", async ({ page }) => {
    const { app, started, finished } = await signInAcrossReplicas(page, uniqueEmail("across-replicas"));
    expect(started).toBe(REPLICA_ADDRS[0]);
    expect(finished).toBe(REPLICA_ADDRS[1]);

    // Stateless: either replica knows the session on its own.
    for (const replica of [1, 2] as const) {
      const res = await page.request.get(`${PROXY}/api/auth/user`, {
        headers: { "x-e2e-replica": String(replica) },
      });
      expect(replicaOf(res)).toBe(REPLICA_ADDRS[replica - 1]);
      expect(await res.json()).toMatchObject({ email: await app.userEmail.textContent() });
    }
  });

  test("session cookies are Secure, host-only __Host- cookies", async ({ page, context }) => {
    const callback = page.waitForResponse((r) => isPath(r, "/api/auth/callback"));
    await signInAcrossReplicas(page, uniqueEmail("secure-cookies"));
    const setCookies = (await (await callback).headersArray()).filter((h) => h.name.toLowerCase() === "set-cookie");
    expect(setCookies.length).toBeGreaterThan(0);
    for (const h of setCookies) expect(h.value).toMatch(/;\s*Secure/i);

    const session = (await context.cookies(PROXY)).find((c) => c.name === "__Host-access_token");
    expect(session, "the session cookie").toBeDefined();
    expect(session).toMatchObject({ secure: true, httpOnly: true, path: "/", domain: "127.0.0.1" });
    // No unprefixed copy that a sibling host could overwrite.
    expect((await context.cookies(PROXY)).map((c) => c.name)).not.toContain("access_token");
  });

  test("CentralAuth gets the browser's address from X-Forwarded-For as auth-ip, not the proxy's or a forged one", async ({ page }) => {
    // The browser claims another address; nginx appends the real one.
    await page.context().setExtraHTTPHeaders({ "x-forwarded-for": "203.0.113.9" });
    await signInAcrossReplicas(page, uniqueEmail("auth-ip"));
    const userinfo = await hooks.calls("userinfo");
    expect(userinfo.length).toBeGreaterThan(0);
    expect(new Set(userinfo.map((c) => c.auth_ip))).toEqual(new Set(["127.0.0.1"]));
    expect(PROXY_PEER).not.toBe("127.0.0.1");
  });

  test("readiness through the proxy, and nginx's request id in the app's answer", async ({ request }) => {
    for (const replica of ["1", "2"]) {
      const ready = await request.get(`${PROXY}/readyz`, { headers: { "x-e2e-replica": replica } });
      expect(ready.status()).toBe(200);
      expect(await ready.json()).toEqual({ status: "ready" });
      // nginx is a trusted proxy: the app files the request under nginx's id.
      const nginxId = ready.headers()["x-e2e-nginx-request-id"];
      expect(nginxId).toMatch(/^[0-9a-f]{32}$/);
      expect(ready.headers()["x-request-id"]).toBe(nginxId);
    }
    const health = await request.get(`${PROXY}/healthz`);
    expect(await health.json()).toEqual({ status: "ok" });
  });

  test("log out of this app only, through the proxy: signed out here, CentralAuth session kept", async ({ page, context }) => {
    const { app } = await signInAcrossReplicas(page, uniqueEmail("proxy-local"));
    await pinTo(page, 1);
    await app.waitForHydration();
    await app.logOut({ everywhere: false });
    await app.expectSignedOut();
    expect((await context.cookies(PROXY)).map((c) => c.name)).not.toContain("__Host-access_token");
    expect(await hooks.calls("logout")).toHaveLength(0);
    // CentralAuth still knows this browser: signing in again needs no form.
    await app.signInAgain();
  });

  test("log out everywhere, through the proxy: the CentralAuth session ends", async ({ page, context }) => {
    const { app } = await signInAcrossReplicas(page, uniqueEmail("proxy-everywhere"));
    await pinTo(page, 1);
    await app.waitForHydration();
    await app.logOut({ everywhere: true });
    await app.expectSignedOut();
    expect((await context.cookies(PROXY)).map((c) => c.name)).not.toContain("__Host-access_token");
    const logouts = await hooks.calls("logout");
    expect(logouts.map((c) => c.status)).toEqual([200]);
    // The provider asks again: the session is gone for every app.
    await app.signInLink.click();
    await expect(new ProviderLogin(page).heading).toBeVisible();
  });

  test("the embedded development provider refuses to start in this configuration", () => {
    const bin = process.env.E2E_SERVER_BIN ?? path.join(ROOT, "target", "release", PACKAGE_NAME);
    const run = spawnSync(bin, [], {
      cwd: path.join(ROOT, "target", "e2e"),
      env: {
        PATH: process.env.PATH ?? "",
        LEPTOS_SITE_ROOT: path.join(ROOT, "target", "site"),
        LEPTOS_SITE_ADDR: "127.0.0.1:3019",
        LEPTOS_ENV: "PROD",
        APP_ORIGIN: PROXY,
        TRUSTED_PROXIES: PROXY_PEER,
        // The credentials went missing in the deploy.
      },
      encoding: "utf8",
      timeout: 15_000,
    });
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toContain("TRUSTED_PROXIES");
    expect(run.stderr).toContain("AUTH_SECRET");
  });
});
