import type { LaunchOptions } from "@playwright/test";

/** Debian's Chromium, installed by scripts/setup.sh; Playwright downloads none. */
export const chromiumLaunch: LaunchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};

/**
 * The same browser with the back/forward cache on, as users have it.
 * Playwright turns it off by default (`--disable-back-forward-cache`).
 */
export const chromiumWithBackForwardCache: LaunchOptions = {
  ...chromiumLaunch,
  ignoreDefaultArgs: ["--disable-back-forward-cache"],
};
