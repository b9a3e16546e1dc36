import * as fs from "node:fs";
import * as path from "node:path";

/** The checkout this suite tests. */
export const ROOT = path.resolve(__dirname, "..");

/**
 * The package name from Cargo.toml (its first `name =`): the server binary's
 * name and the label the app signs its sign-in state under. Read, not
 * written here, so a project generated under another name needs no edit.
 */
export const PACKAGE_NAME = (() => {
  const manifest = fs.readFileSync(path.join(ROOT, "Cargo.toml"), "utf8");
  const name = /^name = "([^"]+)"$/m.exec(manifest)?.[1];
  if (!name) throw new Error("no package name in Cargo.toml");
  return name;
})();
