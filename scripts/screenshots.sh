#!/usr/bin/env bash
# Refreshes the README's screenshots (docs/screenshots/*.png): builds the
# release app, then a Playwright script drives it through the main states
# in headless Chromium at 1280 and 360 px, light and dark, then in Firefox and
# WebKit (docs/screenshots/firefox-*.png, webkit-*.png).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
"$ROOT/scripts/setup.sh" test
# cargo-leptos runs the first wasm-opt on PATH: binaryen from npm (setup.sh).
export PATH="$ROOT/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
cargo leptos build --release --cargo-locked
rm -f target/e2e/dev-centralauth-state.json
cd end2end
SCREENSHOTS=1 E2E_TOPOLOGY=0 npx playwright test --project screenshots --project screenshots-firefox --project screenshots-webkit --reporter list
ls -l "$ROOT/docs/screenshots"
