// Builds the web console when its sources changed since the last build (root `postinstall`): a newcomer's
// `npm install && npm start` serves the console, and an unchanged tree costs a hash, not a build.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sourceHash, stampFile, webDir } from "./source-hash.mjs";

const stamp = existsSync(stampFile) ? readFileSync(stampFile, "utf8").trim() : "";
if (process.env.DRSO_SKIP_WEB_BUILD === "1") {
  console.log("web console: build skipped (DRSO_SKIP_WEB_BUILD=1)");
} else if (stamp === sourceHash() && existsSync(join(webDir, "dist", "index.html"))) {
  console.log("web console: up to date");
} else {
  console.log("web console: building (sources changed)");
  const result = spawnSync("npm", ["run", "build"], { cwd: webDir, stdio: "inherit" });
  if (result.status !== 0) {
    console.error("web console: build failed (the API still starts; / explains how to build the console)");
    process.exit(result.status ?? 1);
  }
}
