import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../cdk/drso-app.js";

/**
 * Before `cdk synth` / `cdk deploy`: builds the web console (packages/web) on this machine, so that the stack
 * uploads a fresh build. No npm ever runs inside a Lambda. Skipped with DRSO_SKIP_WEB_BUILD=1 (API-only).
 */
const web = join(REPO_ROOT, "packages", "web");
if (process.env.DRSO_SKIP_WEB_BUILD === "1") {
  console.log("web console: build skipped (DRSO_SKIP_WEB_BUILD=1)");
} else if (!existsSync(join(web, "package.json"))) {
  console.log("web console: packages/web is absent; deploy API-only with -c frontend=false");
} else {
  const scripts = (
    JSON.parse(readFileSync(join(web, "package.json"), "utf8")) as { scripts?: Record<string, string> }
  ).scripts;
  const script = scripts?.["build:if-stale"] ? "build:if-stale" : "build";
  const result = spawnSync("npm", ["run", script, "-w", "@drso/web"], { cwd: REPO_ROOT, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
