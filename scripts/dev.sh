#!/usr/bin/env bash
# Sets up what is missing, then runs the app with live reload on the embedded
# development CentralAuth (unless AUTH_* variables are set).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
"$ROOT/scripts/setup.sh" run
export PATH="$HOME/.cargo/bin:$PATH"
echo
echo "Starting cargo leptos watch. When it says 'listening', open: ${APP_ORIGIN:-http://127.0.0.1:3000}"
echo
exec cargo leptos watch "$@"
