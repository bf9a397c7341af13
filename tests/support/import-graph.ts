import { readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, posix, relative, sep } from "node:path";
import ts from "typescript";

/**
 * A static import graph of the repository's workspaces, for the architecture checks in
 * tests/architecture/import-graph.test.ts. It reads every source file of every workspace (not only src/)
 * with TypeScript's own pre-processor (`ts.preProcessFile`: static imports, `import type`, re-exports,
 * dynamic `import()`), so a type-only import counts as an edge too: a circle of types is still a circle
 * for the reader.
 *
 * Paths are repository-relative with forward slashes ("packages/api/src/env.ts").
 */

export interface SourceFile {
  /** Repository-relative path. */
  path: string;
  text: string;
}

export interface Workspace {
  /** Package name from its package.json ("@drso/core"). */
  name: string;
  /** Repository-relative directory ("packages/core"). */
  dir: string;
}

export interface ImportGraph {
  /** Every file, with the repository files it imports (relative imports resolved to files). */
  files: Map<string, string[]>;
  /** Every workspace name, with the workspaces its files import. */
  packages: Map<string, string[]>;
  /** Every bare specifier each file imports ("node:fs", "hono", "@drso/core"). */
  external: Map<string, string[]>;
}

const SOURCE = /\.(ts|tsx|mts|cts)$/;
/** Build output and tool caches; the only generated sources kept in git are `*.d.ts`, which are skipped too. */
const SKIP_DIRS = new Set(["node_modules", "dist", "build", ".vite", "cdk.out", "coverage"]);

/** The workspaces named by the root package.json's "workspaces" globs (only "dir/*" globs are used here). */
export function listWorkspaces(root: string): Workspace[] {
  const rootPackage = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    workspaces: string[];
  };
  const out: Workspace[] = [];
  for (const glob of rootPackage.workspaces) {
    if (!glob.endsWith("/*")) throw new Error(`unsupported workspaces glob ${glob}`);
    const parent = glob.slice(0, -2);
    for (const entry of readdirSync(join(root, parent)).sort()) {
      const dir = posix.join(parent, entry);
      let manifest: { name?: string };
      try {
        manifest = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")) as { name?: string };
      } catch {
        continue;
      }
      if (manifest.name) out.push({ name: manifest.name, dir });
    }
  }
  return out;
}

/**
 * Every TypeScript source file of each workspace: src/ and the rest (scripts/, testing/, bench/, config
 * files), so a circle through a helper outside src/ is found too.
 */
export function readSources(root: string, workspaces: readonly Workspace[]): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      const full = join(dir, entry);
      if (statSync(full).isDirectory()) {
        if (!SKIP_DIRS.has(entry)) walk(full);
      } else if (SOURCE.test(entry) && !entry.endsWith(".d.ts")) {
        files.push({ path: relative(root, full).split(sep).join("/"), text: readFileSync(full, "utf8") });
      }
    }
  };
  for (const ws of workspaces) walk(join(root, ws.dir));
  return files;
}

/** The module specifiers one file imports, in source order. */
export function importsOf(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

/** Builds the graph of `sources`: relative imports resolve to files among `sources`, like TypeScript's NodeNext. */
export function buildImportGraph(
  sources: readonly SourceFile[],
  workspaces: readonly Workspace[],
): ImportGraph {
  const known = new Set(sources.map((s) => s.path));
  const workspaceOf = (path: string) => workspaces.find((w) => path.startsWith(`${w.dir}/`));
  const packageOf = (specifier: string) =>
    workspaces.find((w) => specifier === w.name || specifier.startsWith(`${w.name}/`));

  const files = new Map<string, string[]>();
  const packages = new Map<string, string[]>(workspaces.map((w) => [w.name, []]));
  const external = new Map<string, string[]>();
  for (const source of sources) {
    const local: string[] = [];
    const bare: string[] = [];
    const from = workspaceOf(source.path);
    for (const specifier of importsOf(source.text)) {
      if (specifier.startsWith(".")) {
        const target = resolveRelative(source.path, specifier, known);
        if (target && !local.includes(target)) local.push(target);
        continue;
      }
      if (!bare.includes(specifier)) bare.push(specifier);
      const to = packageOf(specifier);
      const edges = from ? packages.get(from.name) : undefined;
      if (from && to && to.name !== from.name && edges && !edges.includes(to.name)) edges.push(to.name);
    }
    files.set(source.path, local);
    external.set(source.path, bare);
  }
  return { files, packages, external };
}

function resolveRelative(
  importer: string,
  specifier: string,
  known: ReadonlySet<string>,
): string | undefined {
  const base = posix.normalize(posix.join(posix.dirname(importer), specifier));
  const stem = base.replace(/\.(js|jsx|mjs|cjs)$/, "");
  const candidates = [
    base,
    `${stem}.ts`,
    `${stem}.tsx`,
    `${stem}.mts`,
    `${stem}.cts`,
    `${base}/index.ts`,
    `${base}/index.tsx`,
  ];
  return candidates.find((c) => known.has(c));
}

/**
 * The circles of a directed graph: its strongly connected components with more than one node, or one node
 * that imports itself (Tarjan's algorithm). Each circle's nodes are sorted; circles are sorted by first node.
 */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];

  const visit = (root: string) => {
    // Iterative depth-first search, so a long import chain cannot overflow the call stack.
    const work: Array<{ node: string; edge: number }> = [{ node: root, edge: 0 }];
    index.set(root, next);
    low.set(root, next);
    next++;
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1] as { node: string; edge: number };
      const edges = graph.get(frame.node) ?? [];
      if (frame.edge < edges.length) {
        const to = edges[frame.edge++] as string;
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next);
          next++;
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, edge: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node) as number, index.get(to) as number));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent)
        low.set(parent.node, Math.min(low.get(parent.node) as number, low.get(frame.node) as number));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string | undefined;
        do {
          member = stack.pop() as string;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        const selfLoop = component.length === 1 && edges.includes(frame.node);
        if (component.length > 1 || selfLoop) cycles.push(component.sort());
      }
    }
  };

  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return cycles.sort((a, b) => (a[0] as string).localeCompare(b[0] as string));
}

/**
 * Concrete closed paths through one circle (a component from `findCycles`), so a failure reads as
 * `a.ts -> b.ts -> a.ts`: for each of its files not yet on a printed path, in order, the shortest path
 * from that file back to itself inside the circle. Every file of the circle is on at least one path.
 */
export function circlePaths(
  graph: ReadonlyMap<string, readonly string[]>,
  circle: readonly string[],
): string[][] {
  const members = new Set(circle);
  const covered = new Set<string>();
  const paths: string[][] = [];
  for (const start of circle) {
    if (covered.has(start)) continue;
    // Breadth-first from start's successors; the first time start is reached again closes the shortest path.
    const cameFrom = new Map<string, string>();
    const queue: string[] = [start];
    let closedBy: string | undefined;
    for (let head = 0; head < queue.length && closedBy === undefined; head++) {
      const node = queue[head] as string;
      for (const to of graph.get(node) ?? []) {
        if (!members.has(to)) continue;
        if (to === start) {
          closedBy = node;
          break;
        }
        if (!cameFrom.has(to)) {
          cameFrom.set(to, node);
          queue.push(to);
        }
      }
    }
    if (closedBy === undefined) continue;
    const path = [start];
    for (let node = closedBy; node !== start; node = cameFrom.get(node) as string) path.splice(1, 0, node);
    path.push(start);
    for (const node of path) covered.add(node);
    paths.push(path);
  }
  return paths;
}

const BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith("_")));

/** Whether a bare specifier names a Node.js built-in module ("node:fs", "fs", "fs/promises"). */
export function isNodeBuiltin(specifier: string): boolean {
  return (
    specifier.startsWith("node:") || BUILTINS.has(specifier) || BUILTINS.has(specifier.split("/")[0] ?? "")
  );
}
