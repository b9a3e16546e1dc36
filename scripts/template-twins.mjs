#!/usr/bin/env node
// Writes the `.liquid` twins that `cargo leptos new` (cargo-generate) renders
// in place of the files that carry the project's name. The originals stay
// plain, so the checkout builds and tests as it is; a twin is never edited by
// hand: edit the original, run `node scripts/template-twins.mjs`, commit both.
// `scripts/template.sh` (part of scripts/test.sh) fails when a twin is stale.
//
// Only the twins are templates (cargo-generate.toml lists them under
// `include`); every other file, binary or not, is copied byte for byte.
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const KEBAB = "centralauth-starter";
const SNAKE = "centralauth_starter";

/** The files that name the project. Keep in step with cargo-generate.toml. */
export const TWINS = [
  "Cargo.toml",
  "Cargo.lock",
  "frontend/Cargo.toml",
  "README.md",
  "end2end/package.json",
  "end2end/package-lock.json",
  "src/main.rs",
  "src/bin/dev-centralauth.rs",
  "tests/app/mod.rs",
];

/** Liquid-safe text: a chunk that looks like Liquid is kept verbatim with `raw`. */
function literal(text) {
  return /\{\{|\{%/.test(text) ? `{% raw %}${text}{% endraw %}` : text;
}

/**
 * The names become variables; everything else stays literal. Lines between
 * `template-only:start` and `template-only:end` markers (the README's part
 * about the template itself) are left out of generated projects.
 */
function withoutTemplateOnly(text) {
  return text.replace(/(^\n)?^[^\n]*template-only:start[^\n]*\n[\s\S]*?template-only:end[^\n]*\n/gm, "");
}

function templated(text) {
  return withoutTemplateOnly(text)
    .split(KEBAB)
    .map((part) => part.split(SNAKE).map(literal).join("{{crate_name}}"))
    .join("{{project-name}}");
}

/**
 * Cargo.lock lists packages sorted by name, and `--locked` compares the file
 * line by line, so the project's own entry has to move to where its new name
 * sorts. Before the first entry of each name, a guard emits the project's
 * entry if the new name sorts before that one (Liquid compares strings
 * bytewise, as cargo does); if no guard fired, it goes last.
 */
function lockTwin(text) {
  const body = text.replace(/\n$/, "");
  const [header, ...entries] = body.split("\n\n");
  const nameOf = (entry) => /^name = "([^"]+)"$/m.exec(entry)?.[1];
  const own = entries.find((e) => nameOf(e) === KEBAB);
  if (!own) throw new Error(`Cargo.lock has no entry named ${KEBAB}`);
  const ownTwin = templated(own);
  let out = `{% assign placed = false %}${literal(header)}`;
  let previous = null;
  for (const entry of entries) {
    if (entry === own) continue;
    const name = nameOf(entry);
    if (!name || /["{}%]/.test(name)) throw new Error(`unexpected Cargo.lock entry: ${entry.slice(0, 60)}`);
    out += "\n\n";
    if (name !== previous) {
      out += `{% if placed == false and "${name}" > project-name %}${ownTwin}\n\n{% assign placed = true %}{% endif %}`;
    }
    // Another entry may name the project as its only dependency (the
    // frontend); in a longer list the new name would have to move as well.
    if (entry.includes(`"${KEBAB}"`) && (entry.match(/^ "/gm) ?? []).length > 1) {
      throw new Error(`${name} lists ${KEBAB} among other dependencies: its position would depend on the new name`);
    }
    out += templated(entry);
    previous = name;
  }
  out += `{% if placed == false %}\n\n${ownTwin}{% endif %}\n`;
  return out;
}

export function twinOf(file, text) {
  if (!text.includes(KEBAB) && !text.includes(SNAKE)) {
    throw new Error(`${file} no longer names the project: drop it from the twins and cargo-generate.toml`);
  }
  return file === "Cargo.lock" ? lockTwin(text) : templated(text);
}

if (process.argv[1] === new URL(import.meta.url).pathname && process.argv[2] === "--expected") {
  // For scripts/template.sh: what generating under the original name must
  // give, written over a copy of the checkout.
  const dir = process.argv[3];
  for (const file of TWINS) {
    const target = path.join(dir, file);
    fs.writeFileSync(target, withoutTemplateOnly(fs.readFileSync(target, "utf8")));
  }
} else if (process.argv[1] === new URL(import.meta.url).pathname) {
  for (const file of TWINS) {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    fs.writeFileSync(path.join(ROOT, `${file}.liquid`), twinOf(file, text));
  }
  console.log(`wrote ${TWINS.length} twins: ${TWINS.map((f) => `${f}.liquid`).join(", ")}`);
}
