import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  buildImportGraph,
  circlePaths,
  findCycles,
  type ImportGraph,
  isNodeBuiltin,
  listWorkspaces,
  readSources,
  type SourceFile,
  type Workspace,
} from "../support/import-graph.js";

/**
 * Architecture rules read from the import graph of every workspace's TypeScript files (see
 * tests/support/import-graph.ts): no import circles between files or between workspaces, and a core without
 * Node.js built-ins (no I/O).
 *
 * A type-only import (`import type`, `export type … from`) counts as an edge, by choice: it vanishes at
 * runtime, so it cannot cause an initialisation-order bug, but a circle of types is still a circle for the
 * next reader, and the simulator's model circle (issue 19) was made of exactly such imports.
 */

/**
 * Circles accepted for now, each with the issue that removes it; none today. Each entry is the exact set of
 * files of one circle; the check accepts a circle only if all its files are in one entry, so any new
 * circle, or a file joining a known one, fails. When an entry is no longer a circle the check fails too,
 * asking for the entry to go.
 */
const KNOWN_CIRCLES: ReadonlyArray<{ issue: string; files: readonly string[] }> = [];

/**
 * Workspaces whose src/ must not import any Node.js built-in: the pure core does no I/O, and the API client
 * runs in the browser too.
 */
const PURE = ["packages/core", "packages/client"];

/** The circles not covered by an allowed entry, and the allowed entries that no longer match any circle. */
function judgeCircles(
  graph: ImportGraph,
  allowed: typeof KNOWN_CIRCLES,
): { unexpected: string[][]; stale: string[] } {
  const cycles = findCycles(graph.files);
  const unexpected = cycles.filter(
    (cycle) => !allowed.some((known) => cycle.every((file) => known.files.includes(file))),
  );
  const stale = allowed
    .filter((known) => !cycles.some((cycle) => cycle.every((file) => known.files.includes(file))))
    .map((known) => known.issue);
  return { unexpected, stale };
}

function impureImports(graph: ImportGraph, pureDirs: readonly string[]): string[] {
  const found: string[] = [];
  for (const [file, specifiers] of graph.external) {
    if (!pureDirs.some((dir) => file.startsWith(`${dir}/src/`))) continue;
    for (const specifier of specifiers)
      if (isNodeBuiltin(specifier)) found.push(`${file} imports ${specifier}`);
  }
  return found.sort();
}

/** Each circle as closed paths, `a.ts -> b.ts -> a.ts`, covering every file of it. */
const describeCircles = (graph: ReadonlyMap<string, readonly string[]>, cycles: readonly string[][]) =>
  cycles.flatMap((cycle) => circlePaths(graph, cycle).map((path) => path.join(" -> ")));

describe("the repository's import graph", () => {
  const root = resolve(import.meta.dirname, "../..");
  const workspaces = listWorkspaces(root);
  const graph = buildImportGraph(readSources(root, workspaces), workspaces);

  it("covers every workspace and a few hundred source files", () => {
    expect(workspaces.map((w) => w.dir)).toEqual(
      expect.arrayContaining(["packages/core", "packages/api", "adapters/store", "hosts/local"]),
    );
    expect(graph.files.size).toBeGreaterThan(200);
    // Files outside src/ are read too; declaration files (the generated API schemas) are not.
    expect(graph.files.has("packages/web/testing/scenario.ts")).toBe(true);
    expect(graph.files.has("packages/web/src/api/schema.d.ts")).toBe(false);
    // Resolution works: a file known to import a sibling has that edge.
    expect(graph.files.get("adapters/store/src/sqlite-store.ts")).toEqual(
      expect.arrayContaining(["adapters/store/src/sqlite/database.ts"]),
    );
  });

  it("has no import circle between files, except the known ones listed above", () => {
    const { unexpected, stale } = judgeCircles(graph, KNOWN_CIRCLES);
    expect(
      describeCircles(graph.files, unexpected),
      "new import circles (break them; see docs/architecture.md)",
    ).toEqual([]);
    expect(stale, "known circles that are gone: remove them from KNOWN_CIRCLES").toEqual([]);
  });

  it("has no circle between workspaces", () => {
    expect(describeCircles(graph.packages, findCycles(graph.packages))).toEqual([]);
  });

  it("keeps packages/core and packages/client free of Node.js built-ins (no file, network or process I/O)", () => {
    expect(impureImports(graph, PURE)).toEqual([]);
  });
});

describe("the import graph checks themselves", () => {
  const workspaces: Workspace[] = [
    { name: "@fx/core", dir: "packages/core" },
    { name: "@fx/app", dir: "packages/app" },
  ];
  const file = (path: string, text: string): SourceFile => ({ path, text });

  it("find a circle made of a type-only import, a re-export and a dynamic import", () => {
    const sources = [
      file("packages/app/src/a.ts", `import type { B } from "./b.js";\nexport const a = 1;`),
      file("packages/app/src/b.ts", `export { c } from "./c/index.js";\nexport type B = 1;`),
      file("packages/app/src/c/index.ts", `export const c = () => import("../a.js");`),
      file("packages/app/src/d.ts", `import { a } from "./a.js";`),
      file("packages/app/src/self.ts", `import "./self.js";`),
    ];
    const graph = buildImportGraph(sources, workspaces);
    expect(findCycles(graph.files)).toEqual([
      ["packages/app/src/a.ts", "packages/app/src/b.ts", "packages/app/src/c/index.ts"],
      ["packages/app/src/self.ts"],
    ]);
    const { unexpected, stale } = judgeCircles(graph, []);
    expect(describeCircles(graph.files, unexpected)).toEqual([
      "packages/app/src/a.ts -> packages/app/src/b.ts -> packages/app/src/c/index.ts -> packages/app/src/a.ts",
      "packages/app/src/self.ts -> packages/app/src/self.ts",
    ]);
    expect(stale).toEqual([]);
  });

  it("print a circle as closed paths that pass through every one of its files", () => {
    const graph = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts", "d.ts", "leaf.ts"]],
      ["d.ts", ["c.ts"]],
      ["leaf.ts", []],
    ]);
    const cycles = findCycles(graph);
    expect(cycles).toEqual([["a.ts", "b.ts", "c.ts", "d.ts"]]);
    expect(describeCircles(graph, cycles)).toEqual(["a.ts -> b.ts -> c.ts -> a.ts", "d.ts -> c.ts -> d.ts"]);
  });

  it("accept a known circle, fail when a file joins it, and report an entry that is no longer a circle", () => {
    const known = [{ issue: "fixture", files: ["packages/app/src/x.ts", "packages/app/src/y.ts"] }];
    const circle = buildImportGraph(
      [file("packages/app/src/x.ts", `import "./y.js";`), file("packages/app/src/y.ts", `import "./x.js";`)],
      workspaces,
    );
    expect(judgeCircles(circle, known)).toEqual({ unexpected: [], stale: [] });

    const grown = buildImportGraph(
      [
        file("packages/app/src/x.ts", `import "./y.js";`),
        file("packages/app/src/y.ts", `import "./z.js";`),
        file("packages/app/src/z.ts", `import "./x.js";`),
      ],
      workspaces,
    );
    expect(judgeCircles(grown, known).unexpected).toEqual([
      ["packages/app/src/x.ts", "packages/app/src/y.ts", "packages/app/src/z.ts"],
    ]);

    const broken = buildImportGraph(
      [file("packages/app/src/x.ts", `import "./y.js";`), file("packages/app/src/y.ts", "export {};")],
      workspaces,
    );
    expect(judgeCircles(broken, known)).toEqual({ unexpected: [], stale: ["fixture"] });
  });

  it("find a circle between workspaces and a Node.js built-in in the pure core", () => {
    const graph = buildImportGraph(
      [
        file(
          "packages/core/src/clock.ts",
          `import { readFileSync } from "node:fs";\nimport "@fx/app/extra";`,
        ),
        file("packages/core/src/net.ts", `import net from "net";\nimport { z } from "zod";`),
        file("packages/app/src/index.ts", `import { x } from "@fx/core";\nimport { join } from "node:path";`),
      ],
      workspaces,
    );
    expect(findCycles(graph.packages)).toEqual([["@fx/app", "@fx/core"]]);
    expect(impureImports(graph, ["packages/core"])).toEqual([
      "packages/core/src/clock.ts imports node:fs",
      "packages/core/src/net.ts imports net",
    ]);
  });
});
