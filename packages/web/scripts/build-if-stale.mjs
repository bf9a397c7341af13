// Builds the web console when its sources changed since the last build (root `postinstall`): a newcomer's
// `npm install && npm start` serves the console, and an unchanged tree costs a hash, not a build.
// The build's own output (Vite's file list, the bundle-size table) goes to dist/build.log, so that
// `npm install` prints two lines; DRSO_BUILD_VERBOSE=1 shows it all as it happens.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { bundleSizes } from "./bundle-sizes.mjs";
import { sourceHash, stampFile, webDir } from "./source-hash.mjs";

const verbose = process.env.DRSO_BUILD_VERBOSE === "1";
const distDir = join(webDir, "dist");
const logFile = join(distDir, "build.log");
const shown = (path) => relative(process.cwd(), path) || path;
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

const stamp = existsSync(stampFile) ? readFileSync(stampFile, "utf8").trim() : "";
if (process.env.DRSO_SKIP_WEB_BUILD === "1") {
  console.log("web console: build skipped (DRSO_SKIP_WEB_BUILD=1)");
} else if (stamp === sourceHash() && existsSync(join(distDir, "index.html"))) {
  console.log("web console: up to date");
} else {
  console.log("web console: building (sources changed)");
  const started = Date.now();
  const result = spawnSync("npm", ["run", "build"], {
    cwd: webDir,
    stdio: verbose ? "inherit" : "pipe",
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const output = verbose ? "" : `${result.stdout ?? ""}${result.stderr ?? ""}`;
  if (!verbose) {
    mkdirSync(distDir, { recursive: true });
    writeFileSync(logFile, output);
  }
  if (result.status !== 0) {
    if (!verbose) {
      const tail = output.trimEnd().split("\n").slice(-30).join("\n");
      console.error(`${tail}\n(the whole build output: ${shown(logFile)})`);
    }
    console.error("web console: build failed (the API still starts; / explains how to build the console)");
    process.exit(result.status ?? 1);
  }
  const sizes = bundleSizes(distDir);
  console.log(
    `web console: built in ${Math.round((Date.now() - started) / 1000)} s: ${sizes.total.count} files, ${mib(sizes.total.bytes)} (${mib(sizes.total.gzipBytes)} gzip)${
      verbose ? "" : `; file list and bundle sizes in ${shown(logFile)}`
    }`,
  );
}
