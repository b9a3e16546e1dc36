#!/usr/bin/env bash
# Checks that `cargo leptos new` makes a working project under a new name
# (called by scripts/test.sh; needs cargo-leptos and node from setup.sh):
#   1. generated under this project's own name, the tree equals the checkout,
#      so every `.liquid` twin is up to date and no other file is touched;
#   2. generated as `my-app` (from the working tree with --path, and from the
#      last commit with --git), every file that is not a twin, binary files
#      included, is byte for byte the same, and the old name appears nowhere
#      but in Cargo.lock's two entries of the project's own packages;
#   3. `scripts/setup.sh lock` renames those, the lock then holds no old name
#      and every dependency exactly as before, `--locked` accepts it, and
#      `my-app` passes `cargo check --features ssr` on the checkout's target/
#      (only the renamed crate is compiled).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
# cargo-generate fills in the author from $USER and stops without it ("could
# not determine the current user"), as in a bare container shell.
export USER="${USER:-$(id -un)}"

OLD_NAME="centralauth-starter"
# Every spelling of the old name: package, crate and title.
OLD_NAME_PATTERN='centralauth[-_ ]?starter'
mapfile -t TWINS < <(node "$ROOT/scripts/template-twins.mjs" --list)

fail() {
  echo "template.sh: $*" >&2
  exit 1
}

WORK="$(mktemp -d "${TMPDIR:-/tmp}/template-check.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# What a clean checkout of the working tree holds: tracked and new files, not
# target/ or node_modules (cargo-generate copies a --path folder whole
# before it applies its ignore list).
SOURCE="$WORK/source"
mkdir -p "$SOURCE"
git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
  tar --null -T - -cf - | tar -C "$SOURCE" -xf -

# What the generated tree must equal, twins aside: the source without the
# template's own files.
EXPECTED="$WORK/expected"
cp -a "$SOURCE" "$EXPECTED"
(cd "$EXPECTED" && find . -name '*.liquid' -delete &&
  rm -f cargo-generate.toml scripts/template-twins.mjs scripts/template.sh)

generate() { # <name> <--path|--git> <source>
  (cd "$WORK" && cargo leptos new "$2" "$3" --name "$1" >"$WORK/new-$1.log" 2>&1) ||
    { cat "$WORK/new-$1.log" >&2; fail "cargo leptos new $2 $3 --name $1 failed"; }
  rm -rf "$WORK/$1/.git"
  if grep -q "Substitution skipped" "$WORK/new-$1.log"; then
    cat "$WORK/new-$1.log" >&2
    fail "cargo-generate tried to template a file that is not a twin"
  fi
}

echo "-- generated as $OLD_NAME: equals the checkout (twins up to date)"
generate "$OLD_NAME" --path "$SOURCE"
if ! diff -r "$EXPECTED" "$WORK/$OLD_NAME" >"$WORK/same.diff"; then
  head -n 40 "$WORK/same.diff" >&2
  fail "a .liquid twin is stale or a file was changed: run 'node scripts/template-twins.mjs' and commit the twins"
fi
rm -rf "${WORK:?}/$OLD_NAME"

check_renamed() { # <dir>
  local dir="$1" f
  if grep -r -l -i -E "$OLD_NAME_PATTERN" --exclude=Cargo.lock "$dir"; then
    fail "the files above in $dir still carry the old name"
  fi
  # The expected tree with the generated twins in place: any other difference
  # is a file cargo-generate should have left alone.
  rm -rf "$WORK/compare"
  cp -a "$EXPECTED" "$WORK/compare"
  for f in "${TWINS[@]}"; do
    [ -f "$dir/$f" ] || fail "$f is missing in $dir"
    cp "$dir/$f" "$WORK/compare/$f"
  done
  diff -r "$WORK/compare" "$dir" || fail "a file that is not a twin differs in $dir"
}

echo "-- generated as my-app with --path: no old name, other files untouched"
generate my-app --path "$SOURCE"
check_renamed "$WORK/my-app"
echo "my-app/Cargo.toml:"
sed -n '1,/^\[dependencies\]/p' "$WORK/my-app/Cargo.toml" | sed 's/^/  /'
grep -A4 '^\[\[workspace.metadata.leptos\]\]' "$WORK/my-app/Cargo.toml" | sed 's/^/  /'

if [ -z "$(git status --porcelain)" ]; then
  echo "-- generated as my-app with --git (last commit): the same tree"
  mv "$WORK/my-app" "$WORK/my-app-path"
  generate my-app --git "file://$ROOT"
  diff -r "$WORK/my-app-path" "$WORK/my-app" || fail "--git and --path generate different trees"
  rm -rf "$WORK/my-app"
  mv "$WORK/my-app-path" "$WORK/my-app"
else
  echo "-- skipping --git: the working tree has uncommitted changes, so the last commit is not what is tested"
fi

echo "-- Cargo.lock: setup renames the project's own entries and moves no dependency"
lock_deps() { # the lock's dependencies: its entries with a source, in order
  awk -v RS= '/\nsource = / { print; print "" }' "$1"
}
grep -q -F "\"$OLD_NAME\"" "$WORK/my-app/Cargo.lock" ||
  fail "the generated Cargo.lock no longer holds the starter's entries (has the lock step become useless?)"
cp "$WORK/my-app/Cargo.lock" "$WORK/lock-generated"
(cd "$WORK/my-app" && ./scripts/setup.sh lock) || fail "scripts/setup.sh lock failed in my-app"
if grep -n -i -E "$OLD_NAME_PATTERN" "$WORK/my-app/Cargo.lock"; then
  fail "Cargo.lock still names the starter after scripts/setup.sh lock"
fi
diff <(lock_deps "$WORK/lock-generated") <(lock_deps "$WORK/my-app/Cargo.lock") ||
  fail "renaming the project in Cargo.lock changed a dependency"
(cd "$WORK/my-app" && cargo metadata --locked --format-version 1 >/dev/null) ||
  fail "after scripts/setup.sh lock, Cargo.lock does not match my-app's Cargo.toml"

echo "-- cargo check --features ssr in my-app (the checkout's target/)"
(cd "$WORK/my-app" && CARGO_TARGET_DIR="$ROOT/target" cargo check --locked --features ssr --all-targets)
echo "ok"
