#!/usr/bin/env bash
# Builds the container image (Dockerfile) from the release build and starts
# its entrypoint, as a step of scripts/test.sh:
#   1. the base image the Dockerfile names, made from Debian's packages
#      (debootstrap) when this machine does not have it yet (no registry
#      is reachable here); kept for the next run;
#   2. `podman build` (chroot isolation: no container runtime needed);
#   3. the entrypoint without credentials must refuse to start;
#   4. the entrypoint as the image's user, with the image's environment plus
#      credentials for the standalone development provider, answers its
#      own HEALTHCHECK command, then a sign-in and a logout go through it.
# It starts the entrypoint with chroot (and /proc mounted), not a container
# runtime: the sandbox here forbids what runc and crun need (setrlimit). So
# the image's files, user, environment, working directory, entrypoint and
# health check are what is tested; namespaces, cgroups, port publishing and
# the runtime's own HEALTHCHECK scheduling are not.
# Everything it starts is stopped and its image removed at the end.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PACKAGE="$(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
IMAGE="localhost/$PACKAGE:test"
BASE="$(sed -n 's/^FROM \([^ ]*\).*/\1/p' Dockerfile | head -n 1)"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# Outside the checkout, so a fresh clone reuses the base.
STORE="${CONTAINER_STORE:-$HOME/.cache/$PACKAGE-podman}"
PODMAN=(podman --root "$STORE/storage" --runroot "$STORE/run" --storage-driver vfs)
PROVIDER_BIN="${E2E_PROVIDER_BIN:-$ROOT/target/debug/dev-centralauth}"
PROVIDER_PORT=3120
WORK="$(mktemp -d)"

say() { printf 'container: %s\n' "$*"; }
fail() { printf 'container: FAILED: %s\n' "$*" >&2; exit 1; }

[ -x "target/release/$PACKAGE" ] && [ -f target/release/hash.txt ] ||
  fail "no release build: run cargo leptos build --release first"
[ -x "$PROVIDER_BIN" ] || fail "$PROVIDER_BIN is missing (cargo test builds it)"
command -v podman >/dev/null && command -v debootstrap >/dev/null ||
  fail "podman and debootstrap are missing: run scripts/setup.sh test"

pids=()
mounted=""
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -z "${entry:-}" ] || pkill -f -x "$entry" 2>/dev/null || true
  wait 2>/dev/null || true
  [ -z "${proc_mounted:-}" ] || umount "$mnt/proc" 2>/dev/null || true
  [ -z "$mounted" ] || "${PODMAN[@]}" image unmount "$IMAGE" >/dev/null 2>&1 || true
  "${PODMAN[@]}" rmi -f "$IMAGE" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

started=$SECONDS
if "${PODMAN[@]}" image exists "$BASE"; then
  say "base $BASE: present"
else
  say "base $BASE: making it from Debian's packages (debootstrap --variant=minbase bookworm, about 30 s)"
  debootstrap --variant=minbase --include=ca-certificates bookworm "$WORK/rootfs" "$MIRROR" \
    >"$WORK/debootstrap.log" 2>&1 || { tail -n 20 "$WORK/debootstrap.log" >&2; fail "debootstrap failed"; }
  # What debian:bookworm-slim leaves out too.
  rm -rf "$WORK"/rootfs/var/cache/apt/archives/*.deb "$WORK"/rootfs/var/lib/apt/lists/* \
    "$WORK"/rootfs/usr/share/doc/* "$WORK"/rootfs/usr/share/man/* "$WORK"/rootfs/usr/share/locale/*
  tar -C "$WORK/rootfs" -c . | "${PODMAN[@]}" import --change 'CMD ["bash"]' - "$BASE" >"$WORK/import.log" 2>&1 ||
    { cat "$WORK/import.log" >&2; fail "podman import failed"; }
  rm -rf "$WORK/rootfs"
  say "base made in $((SECONDS - started)) s"
fi

build_started=$SECONDS
"${PODMAN[@]}" build --format docker --isolation=chroot --pull=never -t "$IMAGE" . \
  >"$WORK/build.log" 2>&1 || { tail -n 30 "$WORK/build.log" >&2; fail "podman build failed"; }
size="$("${PODMAN[@]}" image inspect --format '{{.Size}}' "$IMAGE")"
say "built $IMAGE in $((SECONDS - build_started)) s: $((size / 1000000)) MB ($size bytes)"

inspect() { "${PODMAN[@]}" image inspect --format "$1" "$IMAGE"; }
user="$(inspect '{{.Config.User}}')"
workdir="$(inspect '{{.Config.WorkingDir}}')"
entry="$(inspect '{{index .Config.Entrypoint 0}}')"
health="$(inspect '{{range $i, $a := .Config.Healthcheck.Test}}{{if gt $i 0}}{{$a}} {{end}}{{end}}' | sed 's/ *$//')"
mapfile -t image_env < <(inspect '{{range .Config.Env}}{{println .}}{{end}}' | sed '/^$/d')
[ -n "$user" ] && [ "${user%%:*}" != 0 ] && [ "${user%%:*}" != root ] || fail "the image runs as root ($user)"
addr="$(printf '%s\n' "${image_env[@]}" | sed -n 's/^LEPTOS_SITE_ADDR=//p')"
port="${addr##*:}"
mnt="$("${PODMAN[@]}" image mount "$IMAGE")"
mounted=1
# What a container runtime provides: /proc (the server finds hash.txt
# beside its own binary through /proc/self/exe).
mount -t proc proc "$mnt/proc" || fail "cannot mount /proc in the image"
proc_mounted=1

# Runs a command in the image as its user, with its environment and `$@`'s
# leading NAME=value pairs, in its working directory.
in_image() {
  local vars=()
  while [ $# -gt 0 ] && [[ "$1" == *=* ]]; do vars+=("$1"); shift; done
  timeout "${LIMIT:-0}" chroot --userspec="$user" "$mnt" /usr/bin/env -i "${image_env[@]}" "${vars[@]}" \
    /bin/sh -c 'cd "$0" && exec "$@"' "$workdir" "$@"
}

# Without credentials, on 0.0.0.0: refuses to start.
set +e
out="$(LIMIT=20 in_image "$entry" 2>&1)"
code=$?
set -e
[ "$code" = 2 ] && grep -q "AUTH_ORGANIZATION_ID" <<<"$out" ||
  fail "without credentials the image should refuse to start (exit $code): $out"
say "without credentials: refused to start (exit 2, names AUTH_ORGANIZATION_ID)"

for p in "$port" "$PROVIDER_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then fail "port $p is in use"; fi
done
env -i PATH="$PATH" DEV_CENTRALAUTH_ADDR="127.0.0.1:$PROVIDER_PORT" \
  DEV_CENTRALAUTH_ORIGINS="http://127.0.0.1:$port" DEV_CENTRALAUTH_STATE=off RUST_LOG=warn \
  "$PROVIDER_BIN" >"$WORK/provider.log" 2>&1 &
pids+=($!)
in_image APP_ORIGIN="http://127.0.0.1:$port" AUTH_ORGANIZATION_ID=dev-organization \
  AUTH_SECRET=dev-secret-not-for-production-v2 AUTH_BASE_URL="http://127.0.0.1:$PROVIDER_PORT" \
  "$entry" >"$WORK/app.log" 2>&1 &
pids+=($!)

# The image's own HEALTHCHECK command, until it says ready.
ready=""
for _ in $(seq 1 100); do
  # shellcheck disable=SC2086 # the command's words
  if in_image $health >/dev/null 2>&1; then ready=1; break; fi
  sleep 0.2
done
[ -n "$ready" ] || { tail -n 20 "$WORK/app.log" >&2; fail "the health check never passed"; }
server_pid="$(pgrep -f -x "$entry" | head -n 1)"
runs_as="$(ps -o uid= -p "$server_pid" | tr -d ' ')"
[ "$runs_as" = "${user%%:*}" ] || fail "the server runs as uid $runs_as, not ${user%%:*}"
say "started as uid $runs_as; HEALTHCHECK ($health) passed"

node scripts/container-smoke.mjs "http://127.0.0.1:$port" "http://127.0.0.1:$PROVIDER_PORT" ||
  { tail -n 20 "$WORK/app.log" >&2; fail "the smoke test failed"; }
head -n 1 "$WORK/app.log" | node -e 'JSON.parse(require("fs").readFileSync(0, "utf8"))' ||
  fail "the image's logs are not JSON lines"
say "ok in $((SECONDS - started)) s"
