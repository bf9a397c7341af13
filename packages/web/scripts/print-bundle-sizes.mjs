import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleSizes, kib } from "./bundle-sizes.mjs";
import { sourceHash, stampFile } from "./source-hash.mjs";

const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");
const sizes = bundleSizes(dist);
const width = Math.max(...sizes.files.map((f) => f.file.length), 10);
console.log(`\nweb console bundle (${sizes.total.count} files)`);
console.log(`${"file".padEnd(width)}  ${"size".padStart(11)}  ${"gzip".padStart(11)}`);
for (const f of sizes.files)
  console.log(`${f.file.padEnd(width)}  ${kib(f.bytes).padStart(11)}  ${kib(f.gzipBytes).padStart(11)}`);
console.log(
  `${"total".padEnd(width)}  ${kib(sizes.total.bytes).padStart(11)}  ${kib(sizes.total.gzipBytes).padStart(11)}`,
);
console.log(
  `${"initial load (entry)".padEnd(width)}  ${kib(sizes.initial.bytes).padStart(11)}  ${kib(sizes.initial.gzipBytes).padStart(11)}  ${sizes.initial.files.join(", ")}`,
);

// The build stamp lets `build-if-stale` (postinstall) skip an unchanged tree.
writeFileSync(stampFile, `${sourceHash()}\n`);
