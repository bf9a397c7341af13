import { spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { planFileJsonSchema } from "./plans/format.js";

/**
 * `docs/schemas/plans-as-code.schema.json`, the plans file's JSON Schema, generated from the same zod schemas
 * that validate it; committed and checked for staleness by codegen.test.ts. Run `npm run generate -w drsctl`
 * (or `npm run openapi`, which runs it too) after the core schemas change. The API's types are
 * @drso/client's (packages/client).
 */
export const JSON_SCHEMA_FILE = fileURLToPath(
  new URL("../../../docs/schemas/plans-as-code.schema.json", import.meta.url),
);

export function generateJsonSchema(): string {
  return formatWithBiome(`${JSON.stringify(planFileJsonSchema(), null, 2)}\n`, JSON_SCHEMA_FILE);
}

/** Generated files follow the repository's formatting, so that `biome check` passes on them as is. */
function formatWithBiome(text: string, path: string): string {
  const biome = fileURLToPath(new URL("../../../node_modules/.bin/biome", import.meta.url));
  const result = spawnSync(biome, ["format", `--stdin-file-path=${path}`], {
    input: text,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`biome format failed for ${path}: ${result.stderr}`);
  return result.stdout;
}

async function main() {
  await writeFile(JSON_SCHEMA_FILE, generateJsonSchema());
  console.log(`wrote ${JSON_SCHEMA_FILE}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
