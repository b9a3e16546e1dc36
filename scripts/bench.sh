#!/usr/bin/env bash
# Builds the release server and provider, then runs the load benchmark
# (benches/load.rs) and the micro-benchmarks of the pure rules
# (benches/rules.rs). Not part of the test command: it takes minutes and
# its figures depend on the machine. Needs ports 3400-3403 free.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
"$ROOT/scripts/setup.sh" run
export PATH="$HOME/.cargo/bin:$PATH"
# `cargo bench` builds the server and provider binaries with the release
# optimisations too; the output name is what cargo-leptos would bake in.
export LEPTOS_OUTPUT_NAME="$(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
echo "== load benchmark (builds the release binaries first)"
# It exits non-zero when a target is missed; the micro-benchmarks run anyway.
load_status=0
cargo bench --locked --features ssr --bench load || load_status=$?
echo "== micro-benchmarks"
cargo bench --locked --features ssr --bench rules -- --warm-up-time 1 --measurement-time 3
exit "$load_status"
