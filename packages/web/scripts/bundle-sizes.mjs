import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

/** Every built asset with its raw and gzip size, largest first, and the entry's initial (non-lazy) set. */
export function bundleSizes(distDir) {
  const assetsDir = join(distDir, "assets");
  const files = readdirSync(assetsDir)
    .filter((f) => /\.(js|css)$/.test(f))
    .map((f) => {
      const content = readFileSync(join(assetsDir, f));
      return {
        file: `assets/${f}`,
        bytes: statSync(join(assetsDir, f)).size,
        gzipBytes: gzipSync(content, { level: 9 }).length,
      };
    })
    .sort((a, b) => b.bytes - a.bytes);
  const html = readFileSync(join(distDir, "index.html"), "utf8");
  const initialNames = new Set(
    [...html.matchAll(/(?:src|href)="\/?(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]),
  );
  const initial = files.filter((f) => initialNames.has(f.file));
  const sum = (list, key) => list.reduce((n, f) => n + f[key], 0);
  return {
    files,
    total: { bytes: sum(files, "bytes"), gzipBytes: sum(files, "gzipBytes"), count: files.length },
    initial: {
      bytes: sum(initial, "bytes"),
      gzipBytes: sum(initial, "gzipBytes"),
      files: initial.map((f) => f.file),
    },
  };
}

export const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
