import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/processes.js";

/**
 * What `npm install` prints: its postinstall step (packages/web/scripts/build-if-stale.mjs) run as npm runs
 * it, on a copy of the web console's sources inside the repository (so that the real node_modules resolve),
 * with a real Vite build. The copy keeps the build from touching the dist/ other tests serve.
 */
describe("npm install output", { timeout: 180_000 }, () => {
  mkdirSync(join(ROOT, ".tmp"), { recursive: true });
  const copy = mkdtempSync(join(ROOT, ".tmp", "web-build-"));
  afterAll(() => rmSync(copy, { recursive: true, force: true }));
  const web = join(copy, "packages", "web");
  for (const part of ["src", "scripts", "index.html", "vite.config.ts", "tsconfig.json", "package.json"])
    cpSync(join(ROOT, "packages", "web", part), join(web, part), { recursive: true });
  // The console bundles the typed client; its sources are part of what decides whether to rebuild.
  for (const part of ["src", "package.json"])
    cpSync(join(ROOT, "packages", "client", part), join(copy, "packages", "client", part), {
      recursive: true,
    });
  const postinstall = () =>
    spawnSync(process.execPath, ["packages/web/scripts/build-if-stale.mjs"], {
      cwd: copy,
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? copy },
      timeout: 150_000,
    });

  it("a build prints a short summary; the bundle tables go to dist/build.log", () => {
    const run = postinstall();
    const output = `${run.stdout}${run.stderr}`;
    expect(run.status, output).toBe(0);
    expect(existsSync(join(web, "dist", "index.html"))).toBe(true);
    const lines = output.trim().split("\n");
    expect(lines.length, output).toBeLessThanOrEqual(3);
    expect(output).toMatch(/web console: built in \d+ s: \d+ files/);
    expect(output).toContain("packages/web/dist/build.log");
    const log = readFileSync(join(web, "dist", "build.log"), "utf8");
    expect(log).toContain("web console bundle");
    expect(log).toMatch(/assets\/index-[\w-]+\.js/);
  });

  it("an unchanged tree prints one line", () => {
    const run = postinstall();
    expect(run.status).toBe(0);
    expect(`${run.stdout}${run.stderr}`.trim()).toBe("web console: up to date");
  });
});
