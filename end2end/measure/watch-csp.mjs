// Checks that `cargo leptos watch` still works under the app's
// Content-Security-Policy: the page hydrates, the live-reload script opens
// its websocket, an edit to a component reloads the open page by itself,
// and the browser reports no CSP violation on the way. Restores the file.
//
//   node end2end/measure/watch-csp.mjs        (from the repository root)
//
// Needs nothing running on 127.0.0.1:3000/3001.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "@playwright/test";

// As end2end/chromium.ts: Debian's Chromium, nothing downloaded.
const chromiumLaunch = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
};

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const BASE = "http://127.0.0.1:3000";
const FILE = path.join(root, "src", "app.rs");
const TEXT = "Sign in, and log out properly";
const EDITED = "Sign in, and log out properly (edited)";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const original = readFileSync(FILE, "utf8");
const watch = spawn("cargo", ["leptos", "watch"], {
  cwd: root,
  detached: true,
  stdio: ["pipe", "ignore", "pipe"],
  env: { ...process.env, RUST_LOG: "warn" },
});
let log = "";
watch.stderr.on("data", (d) => (log = (log + d).slice(-3000)));
const stop = () => {
  writeFileSync(FILE, original);
  try {
    process.kill(-watch.pid, "SIGTERM");
  } catch {}
};
process.on("exit", stop);

async function until(what, check, ms) {
  const start = Date.now();
  while (Date.now() - start < ms) {
    try {
      if (await check()) return;
    } catch {}
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}\n${log}`);
}

let browser;
try {
  await until("the first build", async () => (await fetch(BASE)).ok, 900_000);
  const policy = (await fetch(BASE)).headers.get("content-security-policy");
  console.log(`policy: ${policy}`);
  browser = await chromium.launch(chromiumLaunch);
  const page = await browser.newPage();
  const violations = [];
  page.on("console", (m) => /Content[- ]Security[- ]Policy/i.test(m.text()) && violations.push(m.text()));
  let socket = null;
  page.on("websocket", (ws) => (socket = ws.url()));
  await page.goto(BASE);
  await page.locator('html[data-hydrated="true"]').waitFor({ timeout: 30_000 });
  await until("the live-reload websocket", async () => socket !== null, 10_000);
  console.log(`hydrated; live-reload websocket opened: ${socket}`);
  await page.evaluate(() => (window.__beforeReload = true));
  writeFileSync(FILE, original.replace(`"${TEXT}"`, `"${EDITED}"`));
  const saved = Date.now();
  await page.getByRole("heading", { name: EDITED }).waitFor({ timeout: 120_000 });
  const reloaded = await page.evaluate(() => window.__beforeReload === undefined);
  console.log(`edit shown in the open page after ${((Date.now() - saved) / 1000).toFixed(1)} s, reloaded by the page itself: ${reloaded}`);
  console.log(`CSP violations reported: ${violations.length}`);
  for (const v of violations) console.log(`  ${v}`);
  if (!reloaded || violations.length > 0) process.exitCode = 1;
} finally {
  await browser?.close();
  stop();
}
