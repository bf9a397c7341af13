import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";

/** hosts/aws */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The Lambda entry points: one bundle (and one function, with its own role) each. */
export const LAMBDA_ENTRIES = {
  api: "src/lambda/entry/api.ts",
  step: "src/lambda/entry/step.ts",
  "pause-token": "src/lambda/entry/pause-token.ts",
  sweeper: "src/lambda/entry/sweeper.ts",
} as const;

export type LambdaName = keyof typeof LAMBDA_ENTRIES;

const built = new Set<string>();

/**
 * Bundles the Lambda entry points with the local esbuild (no Docker, no npm at deploy time), in one pass, into
 * `<outRoot>/<name>/index.mjs` (ESM for Node 22, minified, with source maps), and returns the directory of
 * `name` for `Code.fromAsset`. The SQLite driver (a native module of the local store, never loaded on AWS) is
 * replaced by a stub that fails loudly if anything ever calls it. Built once per process and output root.
 */
export function bundleLambda(name: LambdaName, outRoot: string): string {
  if (!built.has(outRoot)) {
    bundleAll(outRoot);
    built.add(outRoot);
  }
  return join(outRoot, name);
}

function bundleAll(outRoot: string): void {
  for (const name of Object.keys(LAMBDA_ENTRIES))
    rmSync(join(outRoot, name), { recursive: true, force: true });
  const stubDir = join(outRoot, ".stubs");
  mkdirSync(stubDir, { recursive: true });
  const stub = join(stubDir, "better-sqlite3.cjs");
  writeFileSync(
    stub,
    "module.exports = function () { throw new Error('SQLite is not available on AWS Lambda: use the DynamoDB store.'); };\n",
  );
  const result = buildSync({
    entryPoints: Object.fromEntries(
      Object.entries(LAMBDA_ENTRIES).map(([name, entry]) => [`${name}/index`, join(PACKAGE_ROOT, entry)]),
    ),
    outdir: outRoot,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    splitting: false,
    platform: "node",
    target: "node22",
    format: "esm",
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    legalComments: "none",
    mainFields: ["module", "main"],
    alias: { "better-sqlite3": stub },
    // Some CommonJS dependencies call require() for Node built-ins; an ESM bundle needs one.
    banner: {
      js: "import { createRequire as __drsoCreateRequire } from 'node:module'; const require = __drsoCreateRequire(import.meta.url);",
    },
    logLevel: "silent",
  });
  if (result.errors.length > 0)
    throw new Error(`esbuild failed: ${result.errors.map((e) => e.text).join("; ")}`);
  for (const name of Object.keys(LAMBDA_ENTRIES))
    if (!readdirSync(join(outRoot, name)).includes("index.mjs"))
      throw new Error(`esbuild produced no ${name}/index.mjs`);
}

/** `…/node_modules/@aws-sdk/client-ssm/dist-es/commands/ListCommandsCommand.js` → `client-ssm/ListCommands`. */
const COMMAND_MODULE =
  /node_modules\/@aws-sdk\/([a-z0-9-]+)\/dist-es\/(?:submodules\/([a-z0-9-]+)\/)?commands\/([A-Za-z0-9]+?)Command\.js$/;

/**
 * The AWS SDK commands each Lambda bundle contains: the same esbuild pass as {@link bundleLambda} (same
 * entries, same tree shaking), with a metafile instead of files; a command module with bytes in a bundle's
 * output is a command that function can send. Keys as in iam-table.ts (`client-ssm/ListCommands`).
 */
export function sdkCommandsOfBundles(): Record<LambdaName, string[]> {
  const result = buildSync({
    entryPoints: Object.fromEntries(
      Object.entries(LAMBDA_ENTRIES).map(([name, entry]) => [`${name}/index`, join(PACKAGE_ROOT, entry)]),
    ),
    outdir: join(PACKAGE_ROOT, ".metafile-out"),
    outExtension: { ".js": ".mjs" },
    bundle: true,
    write: false,
    metafile: true,
    platform: "node",
    target: "node22",
    format: "esm",
    mainFields: ["module", "main"],
    external: ["better-sqlite3"],
    logLevel: "silent",
  });
  const out = {} as Record<LambdaName, string[]>;
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    const name = (Object.keys(LAMBDA_ENTRIES) as LambdaName[]).find((n) => file.endsWith(`${n}/index.mjs`));
    if (!name) continue;
    const commands = new Set<string>();
    for (const [input, info] of Object.entries(output.inputs)) {
      const m = COMMAND_MODULE.exec(input.replaceAll("\\", "/"));
      if (m && info.bytesInOutput > 0) commands.add(m[2] ? `${m[1]}/${m[2]}/${m[3]}` : `${m[1]}/${m[3]}`);
    }
    out[name] = [...commands].sort();
  }
  return out;
}
