#!/usr/bin/env node
// The house rules, checked by scripts/test.sh:
// 1. No import circle among the library's files in src/: dependencies point
//    one way (views -> shared types and server functions; server parts ->
//    rules -> the CentralAuth client). An arrow A -> B is a `use` or a
//    `crate::`/`super::`/`self::` path in A that names something defined in
//    B (followed through re-exports); `mod` declarations and `#[cfg(test)]`
//    modules are no arrows.
// 2. No source file over 400 lines in src/, tests/, benches/, end2end/,
//    scripts/ (lock files and generated output aside).
// `node scripts/house.mjs` prints what breaks a rule and exits 1, or a
// one-line summary; `--graph` prints every arrow.
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const MAX_LINES = 400;
const SIZE_DIRS = ["src", "tests", "benches", "end2end", "scripts"];
const SOURCE = /\.(rs|ts|mjs|js|sh|py|conf)(\.liquid)?$/;
const SKIP_DIRS = new Set(["node_modules", "test-results", "playwright-report", "blob-report", "target"]);

function walk(dir, out = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIP_DIRS.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else out.push(full);
  }
  return out;
}

const rel = (f) => path.relative(ROOT, f);

// --- file sizes -------------------------------------------------------------
function oversized() {
  const found = [];
  for (const dir of SIZE_DIRS) {
    const abs = path.join(ROOT, dir);
    if (!fs.existsSync(abs)) continue;
    for (const file of walk(abs)) {
      if (!SOURCE.test(file) || /package-lock\.json/.test(file)) continue;
      const text = fs.readFileSync(file, "utf8");
      const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
      if (lines > MAX_LINES) found.push(`${rel(file)}: ${lines} lines (at most ${MAX_LINES})`);
    }
  }
  return found;
}

// --- the import graph -------------------------------------------------------
/** Comments, strings and char literals blanked out, lines kept. */
function codeOnly(text) {
  return text.replace(
    /\/\/[^\n]*|\/\*[\s\S]*?\*\/|r(#*)"[\s\S]*?"\1|b?"(?:[^"\\]|\\[\s\S])*"|'(?:[^'\\\n]|\\[^\n]{1,10})'/g,
    (m) => m.replace(/[^\n]/g, " "),
  );
}

/** `src/a/b.rs` -> ["a", "b"]; `src/a/mod.rs` -> ["a"]. */
function modulePath(file) {
  const parts = path.relative(path.join(ROOT, "src"), file).replace(/\.rs$/, "").split(path.sep);
  if (parts.at(-1) === "mod") parts.pop();
  return parts;
}

/** Expands a use tree (`a::{b, c::{d as e, self}}`) into whole paths. */
function expandUse(tree) {
  tree = tree.trim();
  const open = tree.indexOf("{");
  if (open < 0) return [tree.replace(/\s+as\s+\w+$/, "").replace(/::self$/, "")];
  const prefix = tree.slice(0, open);
  const inner = tree.slice(open + 1, tree.lastIndexOf("}"));
  const items = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    if (inner[i] === "{") depth++;
    else if (inner[i] === "}") depth--;
    else if (inner[i] === "," && depth === 0) {
      items.push(inner.slice(start, i));
      start = i + 1;
    }
  }
  items.push(inner.slice(start));
  return items
    .map((s) => s.trim())
    .filter(Boolean)
    .flatMap((item) => expandUse(item === "self" ? prefix.replace(/::$/, "") : prefix + item));
}

/**
 * The paths a file names, each with the inline module it sits in (so that
 * `super` inside `mod inner { … }` means the file itself). Test modules are
 * skipped.
 */
function namedPaths(text) {
  const code = codeOnly(text);
  const found = [];
  const stack = []; // { name, depth, test }
  let depth = 0;
  const token = /#\[cfg\(test\)\]\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*\{|(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*\{|(pub(?:\([^)]*\))?\s+)?use\s+([^;]+);|\b((?:crate|super|self)(?:\s*::\s*\w+)+)|\{|\}/g;
  let m;
  while ((m = token.exec(code))) {
    const inTest = stack.some((s) => s.test);
    if (m[1] || m[2]) {
      depth++;
      stack.push({ name: m[1] || m[2], depth, test: Boolean(m[1]) });
    } else if (m[0] === "{") depth++;
    else if (m[0] === "}") {
      if (stack.length && stack.at(-1).depth === depth) stack.pop();
      depth--;
    } else if (!inTest && m[4]) {
      const inline = stack.map((s) => s.name);
      const reexport = Boolean(m[3]);
      for (const p of expandUse(m[4].replace(/\s+/g, " "))) found.push({ path: p.replace(/\s/g, ""), inline, reexport });
    } else if (!inTest && m[5]) {
      found.push({ path: m[5].replace(/\s/g, ""), inline: stack.map((s) => s.name) });
    }
  }
  return found;
}

/** A path as whole module segments from the crate root, or null (another crate). */
function absolute(p, here, inline, byModule) {
  const segs = p.split("::");
  let base;
  let i = 0;
  if (segs[0] === "crate") {
    base = [];
    i = 1;
  } else if (segs[0] === "self" || segs[0] === "super") {
    base = [...here, ...inline];
    if (segs[0] === "self") i = 1;
  } else if (byModule.has([...here, ...inline, segs[0]].join("::"))) {
    base = [...here, ...inline]; // a child module, named relatively
  } else return null;
  while (segs[i] === "super") {
    base = base.slice(0, -1);
    i++;
  }
  return [...base, ...segs.slice(i)];
}

function graph() {
  const files = walk(path.join(ROOT, "src")).filter(
    (f) => f.endsWith(".rs") && !/src\/(main\.rs|bin\/)/.test(f),
  );
  const byModule = new Map(files.map((f) => [modulePath(f).join("::"), f]));
  const named = new Map(files.map((f) => [f, namedPaths(fs.readFileSync(f, "utf8"))]));
  // What each file hands on (`pub use … as`?): name -> absolute path.
  const reexports = new Map();
  for (const [file, paths] of named) {
    const here = modulePath(file);
    const map = new Map();
    for (const { path: p, inline, reexport } of paths) {
      if (!reexport || inline.length) continue;
      const abs = absolute(p, here, inline, byModule);
      if (abs && abs.at(-1) !== "*") map.set(abs.at(-1), abs);
    }
    reexports.set(file, map);
  }
  /** The file that defines what `abs` names, through re-exports. */
  const resolve = (abs) => {
    for (let hops = 0; hops < 8; hops++) {
      let target;
      let n = abs.length;
      for (; n >= 0 && !target; n--) target = byModule.get(abs.slice(0, n).join("::"));
      if (!target) return null;
      const rest = abs.slice(n + 1);
      const via = rest.length === 1 ? reexports.get(target).get(rest[0]) : undefined;
      if (!via) return target;
      abs = via;
    }
    return null;
  };
  const edges = new Map(); // from -> Map(to -> Set(names))
  for (const file of files) {
    const here = modulePath(file);
    for (const { path: p, inline } of named.get(file)) {
      const abs = absolute(p, here, inline, byModule);
      const target = abs && resolve(abs);
      if (!target || target === file) continue;
      if (!edges.has(file)) edges.set(file, new Map());
      const to = edges.get(file);
      if (!to.has(target)) to.set(target, new Set());
      to.get(target).add(abs.at(-1));
    }
  }
  return { files, edges };
}

/** Tarjan's strongly connected components with more than one file. */
function circles({ files, edges }) {
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const on = new Set();
  const out = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc);
    }
  };
  for (const f of files) if (!idx.has(f)) visit(f);
  return out;
}

const g = graph();
if (process.argv.includes("--graph")) {
  for (const [from, to] of [...g.edges].sort(([a], [b]) => a.localeCompare(b)))
    for (const [target, names] of to) console.log(`${rel(from)} -> ${rel(target)}: ${[...names].join(", ")}`);
}
const problems = [];
for (const scc of circles(g)) {
  const members = new Set(scc);
  problems.push(`import circle of ${scc.length} files:`);
  for (const from of scc.sort())
    for (const [to, names] of g.edges.get(from) ?? [])
      if (members.has(to)) problems.push(`  ${rel(from)} -> ${rel(to)}: ${[...names].join(", ")}`);
}
problems.push(...oversized());
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
const arrows = [...g.edges.values()].reduce((n, m) => n + m.size, 0);
console.log(`house rules hold: ${g.files.length} files in src/, ${arrows} arrows, no circle; no file over ${MAX_LINES} lines`);
