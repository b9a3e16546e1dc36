#!/usr/bin/env bash
# Lighthouse 12 (npm, tools/lighthouse) with Debian's Chromium on the
# release build: the signed-out home, the signed-in home, /account and
# /logout, mobile (its default: simulated slow 4G, a mid-range CPU) and
# desktop, each a cold load. Prints the four category scores, FCP, LCP, TBT,
# CLS and the bytes transferred, then the audits that cost points. Scores
# vary from run to run; scripts/test.sh checks what does not (compressed
# and cached answers, the bytes of a cold load: end2end/tests/delivery.spec.ts).
#   scripts/lighthouse.sh [--json out.json]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$ROOT/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
APP_NAME="$(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
ADDR=127.0.0.1:3210

if (exec 3<>"/dev/tcp/${ADDR%:*}/${ADDR#*:}") 2>/dev/null; then
  echo "lighthouse.sh: $ADDR is in use; stop what runs there first" >&2
  exit 1
fi
(cd tools/lighthouse && npm ci --ignore-scripts --no-audit --no-fund --silent)
cargo leptos build --release --cargo-locked

LOGS="$ROOT/target/e2e/lighthouse"
mkdir -p "$LOGS"
env LEPTOS_SITE_ROOT="$ROOT/target/site" LEPTOS_SITE_ADDR="$ADDR" LEPTOS_ENV=PROD \
  DEV_CENTRALAUTH_TEST_HOOKS=1 DEV_CENTRALAUTH_STATE=off RUST_LOG=warn \
  "$ROOT/target/release/$APP_NAME" >"$LOGS/app.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -sf -o /dev/null "http://$ADDR/" && break
  sleep 0.2
done
(cd tools/lighthouse && CHROME_PATH="${CHROME_PATH:-$(command -v chromium)}" node measure.mjs "http://$ADDR" "$@")
