#!/usr/bin/env node
// Writes the `.liquid` twins that `cargo leptos new` (cargo-generate) renders
// in place of the files that must carry the project's name. The list is
// `include` in cargo-generate.toml, and nowhere else. The originals stay
// plain, so the checkout builds and tests as it is; a twin is never edited
// by hand: edit the original, run `node scripts/template-twins.mjs`, commit
// both. `scripts/template.sh` (part of scripts/test.sh) fails when a twin is
// stale. `--list` prints the list.
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const KEBAB = "centralauth-starter";
const SNAKE = "centralauth_starter";

/** cargo-generate.toml's `include = [...]`, as paths from the root. */
export function twins() {
  const toml = fs.readFileSync(path.join(ROOT, "cargo-generate.toml"), "utf8");
  const list = /^include\s*=\s*\[([^\]]*)\]/m.exec(toml);
  if (!list) throw new Error("cargo-generate.toml has no include list");
  return [...list[1].matchAll(/"\/?([^"]+)"/g)].map((m) => m[1]);
}

/** Liquid-safe text: a chunk that looks like Liquid is kept verbatim with `raw`. */
function literal(text) {
  return /\{\{|\{%/.test(text) ? `{% raw %}${text}{% endraw %}` : text;
}

/** The names become variables; everything else stays literal. */
export function twinOf(file, text) {
  if (!text.includes(KEBAB) && !text.includes(SNAKE)) {
    throw new Error(`${file} no longer names the project: drop it from cargo-generate.toml's include list`);
  }
  return text
    .split(KEBAB)
    .map((part) => part.split(SNAKE).map(literal).join("{{crate_name}}"))
    .join("{{project-name}}");
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const files = twins();
  if (process.argv[2] === "--list") {
    console.log(files.join("\n"));
  } else {
    for (const file of files) {
      const text = fs.readFileSync(path.join(ROOT, file), "utf8");
      fs.writeFileSync(path.join(ROOT, `${file}.liquid`), twinOf(file, text));
    }
    console.log(`wrote ${files.length} twins: ${files.map((f) => `${f}.liquid`).join(", ")}`);
  }
}
