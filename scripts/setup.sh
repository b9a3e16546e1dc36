#!/usr/bin/env bash
# Installs, pinned, only what is missing. Safe to run again: it then only confirms.
#   scripts/setup.sh run    tools to build and run the app (cargo leptos watch)
#   scripts/setup.sh test   the above plus wasm-opt, Chromium, Firefox, WebKitGTK, Xvfb, nginx,
#                           openssl, podman, debootstrap and the end2end npm packages
#   scripts/setup.sh lock   only the project's own names in Cargo.lock (both modes do it first)
# Everything comes from crates.io, the npm registry or Debian; nothing else is downloaded.
set -euo pipefail

MODE="${1:-test}"
case "$MODE" in run | test | lock) ;; *) echo "usage: $0 [run|test|lock]" >&2; exit 64 ;; esac

CARGO_LEPTOS_VERSION="0.3.10" # 0.3.11 needs rustc 1.96
# tools/package.json pins binaryen 123 (cargo-leptos 0.3.10's own default);
# Debian's binaryen 108 silently breaks hydration.
WASM_OPT_MIN_BINARYEN=123

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

say() { printf 'setup: %s\n' "$*"; }
fail() { printf 'setup: ERROR: %s\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else fail "need root for: $*"; fi; }

apt_updated=0
apt_install() {
  command -v apt-get >/dev/null || fail "$1 is missing and this is not a Debian/Ubuntu machine: install $1 yourself"
  if [ "$apt_updated" = 0 ]; then as_root apt-get update -qq || fail "apt-get update failed"; apt_updated=1; fi
  say "installing Debian package(s): $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null || fail "apt-get install $* failed"
}

# --- Rust -------------------------------------------------------------------
command -v cargo >/dev/null || fail "cargo not found: install Rust (stable, 1.95 or newer) with rustup first"

# A project generated under a new name starts with the starter's Cargo.lock:
# every dependency pinned as tested, only the project's own two packages
# under the old name. `cargo update --workspace` renames those and moves no
# dependency (scripts/template.sh checks that).
PACKAGE="$(sed -n 's/^name = "\(.*\)"$/\1/p' "$ROOT/Cargo.toml" | head -n 1)"
if grep -qx "name = \"$PACKAGE\"" "$ROOT/Cargo.lock"; then
  say "ok: Cargo.lock names the project $PACKAGE"
else
  say "Cargo.lock: giving the project's own packages the name $PACKAGE (dependencies stay as locked)"
  (cd "$ROOT" && { cargo update --workspace --offline --quiet 2>/dev/null || cargo update --workspace --quiet; }) ||
    fail "cargo update --workspace failed"
fi
[ "$MODE" = lock ] && exit 0
command -v rustup >/dev/null || fail "rustup not found: the wasm32 target is added with rustup"
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "ok: Rust target wasm32-unknown-unknown"
else
  say "adding Rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown || fail "could not add the wasm32-unknown-unknown target"
fi

if [ "$(cargo leptos --version 2>/dev/null || true)" = "cargo-leptos $CARGO_LEPTOS_VERSION" ]; then
  say "ok: cargo-leptos $CARGO_LEPTOS_VERSION"
else
  # Built to install fast: cargo-leptos mostly waits for cargo and
  # wasm-bindgen, so it is compiled without optimisation (no LTO) except
  # seahash, which hashes the whole server binary after every build of
  # `cargo leptos watch`; the edit loop is no slower for it (see
  # docs/performance.md). OPENSSL_NO_VENDOR links Debian's libssl instead of
  # compiling OpenSSL.
  # `no_downloads`: it never fetches a tool itself; they come from here.
  if ! pkg-config --exists openssl 2>/dev/null; then
    apt_install pkg-config libssl-dev
  fi
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 5 minutes on 2 cores)"
  env OPENSSL_NO_VENDOR=1 \
    CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_LTO=false \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_DEBUG=false \
    cargo install --locked --features no_downloads \
    --config 'profile.release.package.seahash.opt-level=3' \
    "cargo-leptos@$CARGO_LEPTOS_VERSION" || fail "cargo install cargo-leptos@$CARGO_LEPTOS_VERSION failed"
fi

# The CLI must equal the wasm-bindgen library in Cargo.lock; cargo-leptos does not check.
BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock")"
[ -n "$BINDGEN_VERSION" ] || fail "no wasm-bindgen version found in Cargo.lock"
if [ "$(wasm-bindgen --version 2>/dev/null || true)" = "wasm-bindgen $BINDGEN_VERSION" ]; then
  say "ok: wasm-bindgen-cli $BINDGEN_VERSION"
else
  say "installing wasm-bindgen-cli $BINDGEN_VERSION (its lock file is not installable here, hence no --locked)"
  cargo install --force "wasm-bindgen-cli@$BINDGEN_VERSION" || fail "cargo install wasm-bindgen-cli@$BINDGEN_VERSION failed"
fi
found="$(command -v wasm-bindgen)"
[ "$("$found" --version)" = "wasm-bindgen $BINDGEN_VERSION" ] ||
  fail "the first wasm-bindgen on PATH ($found) is not $BINDGEN_VERSION; remove it or put ~/.cargo/bin first"

if [ "$MODE" = run ]; then
  say "ready to run"
  exit 0
fi

# --- npm packages ------------------------------------------------------------
if ! command -v npm >/dev/null; then
  apt_install nodejs npm
fi
# npm ci in $1 unless its package-lock.json is what was installed last time.
npm_ci() {
  local dir="$ROOT/$1" lock_hash marker
  lock_hash="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  marker="$dir/node_modules/.setup-lock-sha256"
  if [ -f "$marker" ] && [ "$(cat "$marker")" = "$lock_hash" ]; then
    say "ok: $2 ($1/package-lock.json unchanged)"
  else
    say "installing $2 (npm ci in $1/)"
    (cd "$dir" && npm ci --no-audit --no-fund) || fail "npm ci in $1/ failed"
    echo "$lock_hash" >"$marker"
  fi
}

# --- release build: wasm-opt ---------------------------------------------------
# binaryen's own npm package: wasm-opt compiled to WebAssembly, run by node,
# so nothing is built here (cargo install wasm-opt compiled binaryen's C++
# for 8-10 minutes). The scripts put tools/node_modules/.bin first on PATH,
# where cargo-leptos looks before it would download anything.
npm_ci tools "wasm-opt (npm binaryen)"
wasm_opt_version() { "$1" --version 2>/dev/null | sed -n 's/^wasm-opt version \([0-9]*\).*/\1/p'; }
found="$ROOT/tools/node_modules/.bin/wasm-opt"
v="$(wasm_opt_version "$found")"
[ -n "$v" ] && [ "$v" -ge "$WASM_OPT_MIN_BINARYEN" ] ||
  fail "$found (binaryen ${v:-unknown}) is older than $WASM_OPT_MIN_BINARYEN: run 'npm ci' in tools/"
say "ok: wasm-opt binaryen $v"

# --- browser tests -----------------------------------------------------------
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  say "ok: Chromium at $CHROMIUM"
else
  [ -z "${CHROMIUM_PATH:-}" ] || fail "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable"
  apt_install chromium
  [ -x /usr/bin/chromium ] || fail "the Debian package chromium did not provide /usr/bin/chromium"
fi

# Firefox and WebKit (end2end/engines/): Debian's Firefox ESR, driven over
# WebDriver BiDi, and WebKitGTK's MiniBrowser under WebKitWebDriver in an
# Xvfb display. Playwright's own Firefox and WebKit would be downloads.
FIREFOX="${FIREFOX_PATH:-/usr/bin/firefox-esr}"
if [ -x "$FIREFOX" ]; then
  say "ok: Firefox at $FIREFOX"
else
  [ -z "${FIREFOX_PATH:-}" ] || fail "FIREFOX_PATH=$FIREFOX_PATH is not an executable"
  apt_install firefox-esr
  [ -x /usr/bin/firefox-esr ] || fail "the Debian package firefox-esr did not provide /usr/bin/firefox-esr"
fi
if [ -x /usr/bin/WebKitWebDriver ] && compgen -G "/usr/lib/*/webkit2gtk-4.1/MiniBrowser" >/dev/null; then
  say "ok: WebKitGTK (WebKitWebDriver, MiniBrowser)"
else
  apt_install webkit2gtk-driver
  [ -x /usr/bin/WebKitWebDriver ] || fail "the Debian package webkit2gtk-driver did not provide /usr/bin/WebKitWebDriver"
  compgen -G "/usr/lib/*/webkit2gtk-4.1/MiniBrowser" >/dev/null || fail "WebKitGTK's MiniBrowser is missing (Debian package libwebkit2gtk-4.1-0)"
fi
if command -v Xvfb >/dev/null; then
  say "ok: Xvfb"
else
  apt_install xvfb
  command -v Xvfb >/dev/null || fail "the Debian package xvfb did not provide Xvfb"
fi

# The container image step (scripts/container.sh): podman builds it with
# chroot isolation, debootstrap makes its Debian base (no registry here).
if command -v podman >/dev/null && command -v debootstrap >/dev/null; then
  say "ok: podman, debootstrap"
else
  apt_install podman debootstrap
  command -v podman >/dev/null || fail "the Debian package podman did not provide podman"
fi

# The production-topology suite: nginx terminates TLS with a certificate
# openssl makes at test time (end2end/topology/).
if command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; then
  say "ok: nginx"
else
  apt_install nginx-light
  [ -x /usr/sbin/nginx ] || fail "the Debian package nginx-light did not provide /usr/sbin/nginx"
  # The package starts a system nginx on port 80 where systemd runs; the
  # tests start their own, so the one just installed is stopped again.
  if command -v systemctl >/dev/null && systemctl is-active --quiet nginx 2>/dev/null; then
    say "stopping and disabling the system nginx service the package started (the tests run their own)"
    as_root systemctl disable --now nginx >/dev/null 2>&1 || say "warning: could not stop the nginx service"
  fi
fi
if command -v openssl >/dev/null; then
  say "ok: openssl"
else
  apt_install openssl
fi

npm_ci end2end "the end2end npm packages (Playwright and puppeteer-core download no browser)"
say "ready to test"
