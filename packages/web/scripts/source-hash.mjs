import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const webDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const root = join(webDir, "..", "..");
// The workspace packages the console bundles: a change to them is a change to the console.
const bundledPackages = [join(root, "packages", "client")];
export const stampFile = join(webDir, "dist", ".build-stamp");

function walk(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (!/\.test\.tsx?$/.test(name)) out.push(path);
  }
  return out;
}

export function sourceHash() {
  const files = [
    ...walk(join(webDir, "src"), []),
    ...bundledPackages.flatMap((dir) => [...walk(join(dir, "src"), []), join(dir, "package.json")]),
    join(webDir, "index.html"),
    join(webDir, "vite.config.ts"),
    join(webDir, "tsconfig.json"),
    join(webDir, "package.json"),
    join(root, "package-lock.json"),
  ].filter((f) => existsSync(f));
  const hash = createHash("sha256");
  for (const f of files) {
    hash.update(relative(webDir, f));
    hash.update("\0");
    hash.update(readFileSync(f));
    hash.update("\0");
  }
  return hash.digest("hex");
}
