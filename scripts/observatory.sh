#!/usr/bin/env bash
# Measures the MDN HTTP Observatory grade of the README's documented
# deployment, on this machine: the release build behind nginx with TLS and
# the http->https redirect (end2end/topology), CentralAuth played by the
# standalone development provider. The scanner is the Observatory's own
# npm package (tools/observatory), scoring as its website does; the
# certificate made for the run is trusted for the scan only.
#   scripts/observatory.sh     prints the JSON result; exits 1 below A+ (100)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$ROOT/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
APP_NAME="$(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"

for port in 3080 3443 3011 3012 3110; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "observatory.sh: port $port is in use (a test run?); stop it first" >&2
    exit 1
  fi
done
(cd tools/observatory && npm ci --ignore-scripts --no-audit --no-fund --silent)
# Its install script downloads Chromium's HSTS preload list (not reachable
# here); 127.0.0.1 is on no such list, so an empty one scores the same.
PRELOAD=tools/observatory/node_modules/@mdn/mdn-http-observatory/conf/hsts-preload.json
[ -s "$PRELOAD" ] || echo '{}' >"$PRELOAD"
cargo leptos build --release --cargo-locked
cargo build --locked --features ssr --bin dev-centralauth

LOGS="$ROOT/target/e2e/observatory"
mkdir -p "$LOGS"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

env DEV_CENTRALAUTH_ADDR=127.0.0.1:3110 DEV_CENTRALAUTH_ORIGINS=https://127.0.0.1:3443 \
  DEV_CENTRALAUTH_STATE=off target/debug/dev-centralauth >"$LOGS/provider.log" 2>&1 &
pids+=($!)
for addr in 127.0.0.1:3011 127.0.0.1:3012; do
  (cd "$ROOT/target/e2e" && exec env LEPTOS_SITE_ROOT="$ROOT/target/site" LEPTOS_SITE_ADDR="$addr" LEPTOS_ENV=PROD \
    APP_ORIGIN=https://127.0.0.1:3443 AUTH_ORGANIZATION_ID=dev-organization \
    AUTH_SECRET=dev-secret-not-for-production-v2 AUTH_BASE_URL=http://127.0.0.1:3110 \
    TRUSTED_PROXIES=127.0.0.2 "$ROOT/target/release/$APP_NAME" >"$LOGS/app-$addr.log" 2>&1) &
  pids+=($!)
done
end2end/topology/start-nginx.sh >"$LOGS/nginx.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  curl -sfk -o /dev/null https://127.0.0.1:3443/ && break
  sleep 0.2
done

result="$(cd tools/observatory && NODE_EXTRA_CA_CERTS="$ROOT/target/e2e/topology/cert.pem" node scan.mjs 127.0.0.1 3443 3080)"
echo "$result"
score="$(node -e 'console.log(JSON.parse(process.argv[1]).score)' "$result")"
echo "observatory: score $score (A+ needs 100)"
[ "$score" -ge 100 ]
