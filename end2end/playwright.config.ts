import { defineConfig, devices } from "@playwright/test";
import * as fs from "node:fs";
import * as path from "node:path";
import { chromiumLaunch } from "./chromium";
import type { EngineName } from "./engines/engine";
import { PACKAGE_NAME, ROOT } from "./project";
import {
  APP_A,
  APP_B,
  APP_B_ADDR,
  NPM_SIBLING,
  PROXY,
  PROXY_PEER,
  REPLICA_ADDRS,
  STANDALONE_PROVIDER,
} from "./urls";

/**
 * The suite runs against the release server, which Playwright starts itself
 * (see `webServer`). Under `cargo leptos end-to-end` the app is already
 * served by cargo-leptos, so only the wait in global-setup applies
 * (E2E_EXTERNAL_APP=1, set by `npm run test:cargo-leptos`).
 */
const serverBin = process.env.E2E_SERVER_BIN ?? path.join(ROOT, "target", "release", PACKAGE_NAME);
const external = process.env.E2E_EXTERNAL_APP === "1";
// A's provider keeps its sessions here, apart from the file a developer's
// own `cargo leptos watch` on port 3000 uses; scripts/test.sh starts it empty.
export const PROVIDER_STATE = path.join(ROOT, "target", "e2e", "dev-centralauth-state.json");

/**
 * The stand-in for the real CentralAuth in the topology suite: the
 * standalone provider, as `cargo test` builds it (its build profile does not
 * matter; a release build would recompile the server with other settings).
 */
const providerBin =
  process.env.E2E_PROVIDER_BIN ?? path.join(ROOT, "target", "debug", "dev-centralauth");
/** Off only for the screenshot script, which needs app A alone. */
const topology = process.env.E2E_TOPOLOGY !== "0";
const screenshots = process.env.SCREENSHOTS === "1";
if (topology && !fs.existsSync(providerBin)) {
  throw new Error(
    `${providerBin} is missing: the topology suite runs it as CentralAuth. ` +
      "Build it with 'cargo build --features ssr --bin dev-centralauth' (scripts/test.sh does, through cargo test).",
  );
}

const serverDir = path.join(ROOT, "target", "e2e");
fs.mkdirSync(serverDir, { recursive: true });

/** The release server on `addr`, with the settings every instance shares. */
function appServer(addr: string, env: Record<string, string>) {
  return {
    command: serverBin,
    // Not the checkout: a developer's .env there must not reach the test servers.
    cwd: serverDir,
    // Traffic only once the app says it is ready (CentralAuth answers).
    url: `http://${addr}/readyz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe" as const,
    stderr: "pipe" as const,
    env: {
      LEPTOS_SITE_ROOT: path.join(ROOT, "target", "site"),
      LEPTOS_SITE_ADDR: addr,
      LEPTOS_ENV: "PROD",
      RUST_LOG: process.env.RUST_LOG ?? "info",
      AUTH_REQUEST_TIMEOUT_MS: "2000",
      ...env,
    },
  };
}


/** The topology's servers: provider, two replicas, then nginx in front. */
const topologyServers = [
  {
    command: providerBin,
    cwd: serverDir,
    url: `${STANDALONE_PROVIDER}/login`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe" as const,
    stderr: "pipe" as const,
    env: {
      DEV_CENTRALAUTH_ADDR: new URL(STANDALONE_PROVIDER).host,
      DEV_CENTRALAUTH_ORIGINS: PROXY,
      DEV_CENTRALAUTH_TEST_HOOKS: "1",
      DEV_CENTRALAUTH_STATE: "off",
      RUST_LOG: process.env.RUST_LOG ?? "info",
    },
  },
  ...REPLICA_ADDRS.map((addr) =>
    appServer(addr, {
      APP_ORIGIN: PROXY,
      AUTH_ORGANIZATION_ID: "dev-organization",
      AUTH_SECRET: "dev-secret-not-for-production-v2",
      AUTH_BASE_URL: STANDALONE_PROVIDER,
      TRUSTED_PROXIES: PROXY_PEER,
    }),
  ),
  {
    command: path.join(__dirname, "topology", "start-nginx.sh"),
    url: `${PROXY}/`,
    ignoreHTTPSErrors: true,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: "pipe" as const,
    stderr: "pipe" as const,
  },
];

export default defineConfig<object, { engineName: EngineName }>({
  testDir: "./tests",
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 5_000 },
  // list for people, json for the closing summary line of scripts/test.sh.
  reporter: [["list"], ["json", { outputFile: "test-results/results.json" }]],
  globalSetup: "./global-setup.ts",
  use: {
    baseURL: APP_A,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "chromium",
      testIgnore: /topology\.spec\.ts/,
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          ...chromiumLaunch,
        },
      },
    },
    // Firefox ESR and WebKitGTK from Debian, driven over WebDriver
    // (engines/): Playwright's own Firefox and WebKit are patched builds
    // it would download.
    ...(["firefox", "webkit"] as const).map((engineName) => ({
      name: engineName,
      testDir: "./engines/tests",
      // Page scripts off: Firefox only (a preference at launch).
      testIgnore: engineName === "webkit" ? /no-javascript/ : undefined,
      use: { engineName },
    })),
    ...(screenshots
      ? [
          {
            name: "screenshots",
            testDir: "./screenshots",
            use: { ...devices["Desktop Chrome"], viewport: { width: 1280, height: 800 }, launchOptions: { ...chromiumLaunch } },
          },
          ...(["firefox", "webkit"] as const).map((engineName) => ({
            name: `screenshots-${engineName}`,
            testDir: "./engines/screenshots",
            use: { engineName },
          })),
        ]
      : []),
    {
      // Behind nginx with a certificate made at test time.
      name: "topology",
      testMatch: /topology\.spec\.ts/,
      use: {
        ...devices["Desktop Chrome"],
        baseURL: PROXY,
        ignoreHTTPSErrors: true,
        launchOptions: {
          ...chromiumLaunch,
        },
      },
    },
  ],
  webServer: [
    // App A runs the embedded provider (no AUTH_* variables), with the test
    // hooks on and app B and the NPM-library sibling registered.
    ...(external
      ? []
      : [
          appServer(new URL(APP_A).host, {
            DEV_CENTRALAUTH_TEST_HOOKS: "1",
            DEV_CENTRALAUTH_ORIGINS: `${APP_B},${NPM_SIBLING}`,
            DEV_CENTRALAUTH_STATE: PROVIDER_STATE,
          }),
        ]),
    // B is configured like a real deployment, pointed at A's provider.
    appServer(APP_B_ADDR, {
      APP_ORIGIN: APP_B,
      AUTH_ORGANIZATION_ID: "dev-organization",
      AUTH_SECRET: "dev-secret-not-for-production-v2",
      AUTH_BASE_URL: `${APP_A}/dev-centralauth`,
    }),
    ...(topology ? topologyServers : []),
  ],
});
