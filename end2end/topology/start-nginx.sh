#!/usr/bin/env bash
# Runs nginx in the foreground for the topology suite (Playwright starts and
# stops it): a certificate for 127.0.0.1, made now and valid for two days,
# and nginx.conf, both in target/e2e/topology/. Nothing outside it is touched.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DIR="$HERE/../../target/e2e/topology"
NGINX="${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}"
[ -x "$NGINX" ] || { echo "start-nginx.sh: nginx not found: run scripts/setup.sh test" >&2; exit 1; }
command -v openssl >/dev/null || { echo "start-nginx.sh: openssl not found: run scripts/setup.sh test" >&2; exit 1; }

mkdir -p "$DIR/tmp"
DIR="$(cd "$DIR" && pwd)"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
  -keyout "$DIR/key.pem" -out "$DIR/cert.pem" 2>/dev/null
chmod 600 "$DIR/key.pem"
cp "$HERE/nginx.conf" "$DIR/nginx.conf"
exec "$NGINX" -p "$DIR/" -c "$DIR/nginx.conf" -e stderr -g "daemon off;"
