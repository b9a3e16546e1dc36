// Lighthouse on the four pages a visitor meets, mobile and desktop, each a
// cold load in a fresh headless Chromium (Debian's). Prints one table and
// the audits that keep a category below 100. Called by scripts/lighthouse.sh
// with the app's origin; signed-in pages get a fresh development session
// each (the provider's test hook), sent as the session cookie.
//   node measure.mjs http://127.0.0.1:3210 [--json out.json]
import lighthouse from "lighthouse";
import desktopConfig from "lighthouse/core/config/desktop-config.js";
import * as chromeLauncher from "chrome-launcher";

const origin = process.argv[2];
const jsonOut = process.argv.indexOf("--json") > 0 ? process.argv[process.argv.indexOf("--json") + 1] : null;
if (!origin) {
  console.error("usage: node measure.mjs <app origin> [--json out.json]");
  process.exit(64);
}

const PAGES = [
  { name: "home, signed out", path: "/", signedIn: false },
  { name: "home, signed in", path: "/", signedIn: true },
  { name: "/account", path: "/account", signedIn: true },
  { name: "/logout", path: "/logout", signedIn: true },
];
const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"];

async function session() {
  const res = await fetch(`${origin}/dev-centralauth/_test/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: `lighthouse-${Date.now()}@example.com` }),
  });
  if (!res.ok) throw new Error(`the provider's test hook answered ${res.status}`);
  return (await res.json()).access_token;
}

async function run(page, desktop) {
  const chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROME_PATH || "/usr/bin/chromium",
    chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu"],
  });
  try {
    const extraHeaders = page.signedIn ? { Cookie: `access_token=${await session()}` } : undefined;
    const flags = { port: chrome.port, output: "json", logLevel: "error", onlyCategories: CATEGORIES, extraHeaders };
    const result = await lighthouse(`${origin}${page.path}`, flags, desktop ? desktopConfig : undefined);
    return result.lhr;
  } finally {
    await chrome.kill();
  }
}

const rows = [];
const problems = [];
for (const desktop of [false, true]) {
  for (const page of PAGES) {
    const lhr = await run(page, desktop);
    const a = lhr.audits;
    const row = {
      page: page.name,
      device: desktop ? "desktop" : "mobile",
      ...Object.fromEntries(CATEGORIES.map((c) => [c, Math.round((lhr.categories[c]?.score ?? 0) * 100)])),
      fcp_ms: Math.round(a["first-contentful-paint"].numericValue),
      lcp_ms: Math.round(a["largest-contentful-paint"].numericValue),
      tbt_ms: Math.round(a["total-blocking-time"].numericValue),
      cls: Number(a["cumulative-layout-shift"].numericValue.toFixed(3)),
      bytes: Math.round(a["total-byte-weight"].numericValue),
    };
    rows.push(row);
    for (const c of CATEGORIES) {
      for (const ref of lhr.categories[c]?.auditRefs ?? []) {
        const audit = a[ref.id];
        const scored = audit.scoreDisplayMode === "binary" || audit.scoreDisplayMode === "numeric" || audit.scoreDisplayMode === "metricSavings";
        // Weighted audits below 1; for performance also the diagnostics below 0.9.
        const bar = ref.weight > 0 ? 1 : c === "performance" ? 0.9 : -1;
        if (scored && audit.score !== null && audit.score < bar) {
          problems.push(`${row.device} ${row.page}: ${c} / ${ref.id} (${audit.score}): ${audit.displayValue ?? audit.title}`);
        }
      }
    }
  }
}

const head = ["page", "device", "perf", "a11y", "best", "seo", "FCP ms", "LCP ms", "TBT ms", "CLS", "bytes"];
const cells = rows.map((r) => [r.page, r.device, r.performance, r.accessibility, r["best-practices"], r.seo, r.fcp_ms, r.lcp_ms, r.tbt_ms, r.cls, r.bytes].map(String));
const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
const line = (c) => c.map((v, i) => (i < 2 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join("  ");
console.log(line(head));
for (const c of cells) console.log(line(c));
if (problems.length) {
  console.log("\naudits that cost points:");
  for (const p of [...new Set(problems)]) console.log(`  ${p}`);
}
if (jsonOut) (await import("node:fs")).writeFileSync(jsonOut, JSON.stringify(rows, null, 2));
