#!/usr/bin/env bash
# Sets up what is missing, then runs every check: fmt, the house rules, clippy
# (server and wasm), the Rust tests, the template, the release build and its
# size, the container image (scripts/container.sh), and the browser suites
# against the release build: Playwright in Chromium, the core flows in
# Firefox and WebKit.
# Exits non-zero if anything fails.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
"$ROOT/scripts/setup.sh" test
# cargo-leptos runs the first wasm-opt on PATH: binaryen from npm (setup.sh).
export PATH="$ROOT/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"

# The package name (first `name =` in Cargo.toml): generated projects carry their own.
APP_NAME="$(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"

step() { printf '\n== %s\n' "$*"; }

# A clean run writes about 7 GB to target/; a full disk shows up only as a
# linker crash minutes later, so say it up front.
free_gb="$(df -Pk "$ROOT" | awk 'NR == 2 { print int($4 / 1048576) }')"
if [ "${free_gb:-0}" -lt 12 ]; then
  echo "test.sh: warning: only ${free_gb} GB free on the disk holding $ROOT; a clean run needs about 7 GB in target/ ('cargo clean' frees old builds)" >&2
fi

step "cargo fmt --check"
cargo fmt --all -- --check

step "house rules: no import circle in src/, no source file over 400 lines"
node "$ROOT/scripts/house.mjs"

step "clippy (server, ssr)"
cargo clippy --locked --features ssr --all-targets -- -D warnings

step "clippy (browser, hydrate, wasm32)"
# `-p frontend` checks the bundle package and, through it, the app crate with hydrate.
cargo clippy --locked -p frontend --target wasm32-unknown-unknown -- -D warnings

step "Rust tests (ssr)"
# One test at a time per binary (see .cargo/config.toml), said here too.
export RUST_TEST_THREADS=1
cargo test --locked --features ssr 2>&1 | tee target/rust-tests.log

if [ -f cargo-generate.toml ]; then
  step "template: cargo leptos new under another name"
  "$ROOT/scripts/template.sh"
fi

step "server built without the development provider (production option)"
cargo clippy --locked --no-default-features --features ssr --lib --bins -- -D warnings
cargo test --locked --no-default-features --features ssr --lib config:: 2>&1 | tee -a target/rust-tests.log
rust_summary="$(awk '/^test result:/ { p += $4; f += $6 } END { printf "%d passed, %d failed", p, f }' target/rust-tests.log)"

step "release build (cargo leptos build --release)"
cargo leptos build --release --cargo-locked

step "browser bundle size"
"$ROOT/scripts/wasm-size.sh"

step "no server-only secret in the browser bundle"
if grep -a -l -e "dev-secret-not-for-production" -e "$APP_NAME/state/v1" target/site/pkg/*; then
  echo "test.sh: the files above hold server-only values; keep that code behind #[cfg(feature = \"ssr\")]" >&2
  exit 1
fi
echo "ok"

step "container image: built, refused without credentials, started, signed in and out"
"$ROOT/scripts/container.sh"

step "Browsers: Chromium, Firefox, WebKit (release build)"
# Playwright starts app A on 3000 and app B on 3002 itself, and the
# production topology: nginx on 3443 (and 3080, its redirect), replicas on 3011 and 3012, the
# standalone provider on 3110.
for port in 3000 3002 3080 3443 3011 3012 3110; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "test.sh: port $port is already in use (a running 'cargo leptos watch' or test server?); stop it first" >&2
    echo "playwright: 0 passed, 1 failed"
    exit 1
  fi
done
e2e_status=0
rm -f end2end/test-results/results.json target/e2e/dev-centralauth-state.json
(cd end2end && npx playwright test) || e2e_status=$?
e2e_summary="$(node -e '
  const r = require(process.argv[1]);
  const s = r.stats || {};
  const failed = (s.unexpected || 0) + (s.flaky || 0) + (r.errors || []).length;
  console.log(`${s.expected || 0} passed, ${failed} failed`);
' "$ROOT/end2end/test-results/results.json" 2>/dev/null || echo "0 passed, 1 failed")"
# A failed run must never read as "0 failed".
if [ "$e2e_status" -ne 0 ] && [ "${e2e_summary#* passed, }" = "0 failed" ]; then
  e2e_summary="${e2e_summary%%,*}, 1 failed"
fi

echo
echo "rust: $rust_summary"
echo "playwright: $e2e_summary"
exit "$e2e_status"
