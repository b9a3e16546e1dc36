#!/usr/bin/env node
// A short sign-in and logout through the app in the container image, as a
// browser would (redirects by hand, one cookie jar: app and provider share
// the host 127.0.0.1, and cookies ignore ports). Run by scripts/container.sh:
//   node scripts/container-smoke.mjs <app origin> <provider base>
const [app, provider] = process.argv.slice(2);
const jar = new Map();
const fail = (msg) => {
  console.error(`container smoke: ${msg}`);
  process.exit(1);
};

async function go(url, init = {}) {
  const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const res = await fetch(url, { ...init, redirect: "manual", headers: { ...init.headers, cookie } });
  for (const line of res.headers.getSetCookie()) {
    const [pair, ...attrs] = line.split(";");
    const [name, value] = [pair.slice(0, pair.indexOf("=")).trim(), pair.slice(pair.indexOf("=") + 1)];
    const gone = value === "" || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a));
    if (gone) jar.delete(name);
    else jar.set(name, value);
  }
  return res;
}

const absolute = (base, location) => new URL(location, base).toString();

async function user() {
  const res = await go(`${app}/api/auth/user`);
  if (res.status !== 200) fail(`GET /api/auth/user answered ${res.status}`);
  return (await res.json())?.email ?? null;
}

// The page links the bundle's content-hashed files (hash.txt beside the
// binary), and the image serves them.
let page = await go(`${app}/`);
const html = await page.text();
const assets = [...html.matchAll(/(?:href|from|import\()\s*=?\s*"(\/pkg\/[^"]+)"/g)].map((m) => m[1]);
if (assets.length === 0) fail("the home page links no bundle file");
for (const asset of assets) {
  const res = await go(`${app}${asset}`);
  if (res.status !== 200) fail(`${asset} answered ${res.status}`);
}
console.log(`container smoke: the home page and its ${assets.length} bundle files answer 200`);

const email = "container@example.com";
if ((await user()) !== null) fail("signed in before signing in");

// The app sends the browser to CentralAuth (here the standalone provider).
let res = await go(`${app}/api/auth/login?return_to=%2Faccount`);
const login = res.headers.get("location") ?? fail(`login answered ${res.status} without a redirect`);
if (!login.startsWith(`${provider}/login?`)) fail(`login redirected to ${login}`);
res = await go(login);
if (res.status !== 200) fail(`the provider's sign-in page answered ${res.status}`);
const form = new URL(login).searchParams;
form.set("email", email);
res = await go(`${provider}/login`, {
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded", origin: provider },
  body: form.toString(),
});
const callback = res.headers.get("location") ?? fail(`the sign-in form answered ${res.status}`);
res = await go(absolute(app, callback));
if (res.status !== 303) fail(`the callback answered ${res.status}`);
if (!jar.has("access_token")) fail("no session cookie after the callback");
if ((await user()) !== email) fail("not signed in after the callback");
console.log(`container smoke: signed in as ${email} (callback ${res.status} to ${res.headers.get("location")})`);

res = await go(`${app}/api/auth/logout`, {
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded", origin: app },
  body: "everywhere=true&return_to=%2F",
});
if (res.status !== 303) fail(`logout answered ${res.status}`);
if (jar.has("access_token")) fail("the session cookie survived the logout");
if ((await user()) !== null) fail("still signed in after the logout");
console.log(`container smoke: logged out everywhere (${res.status} to ${res.headers.get("location")}), request id ${res.headers.get("x-request-id")}`);
