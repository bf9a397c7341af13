import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ROOT, tempDir } from "../support/processes.js";

/**
 * The committed API description (packages/api/openapi.json, from `npm run openapi`) passes Spectral (its
 * OpenAPI rules, the OWASP API security ruleset and the project rules in .spectral.yaml) and Redocly
 * (recommended, redocly.yaml) without a single error. Both run from node_modules, offline.
 */
const run = promisify(execFile);
const DOCUMENT = join(ROOT, "packages/api/openapi.json");
// Redocly: no usage telemetry, no update check (the linters must not need the network).
const ENV = {
  ...process.env,
  REDOCLY_TELEMETRY: "off",
  REDOCLY_SUPPRESS_UPDATE_NOTICE: "true",
  NO_COLOR: "1",
};

interface SpectralResult {
  code: string;
  message: string;
  path: Array<string | number>;
  severity: number; // 0 error, 1 warning, 2 information, 3 hint
}
interface RedoclyProblem {
  ruleId: string;
  severity: "error" | "warn";
  message: string;
  location: Array<{ pointer: string }>;
}

/** Spectral exits 1 when it finds errors; the JSON on stdout is the answer either way. */
async function spectral(document: string): Promise<SpectralResult[]> {
  const args = [
    join(ROOT, "node_modules/@stoplight/spectral-cli/dist/index.js"),
    "lint",
    document,
    "--ruleset",
    join(ROOT, ".spectral.yaml"),
    "--format",
    "json",
    "--quiet",
  ];
  const { stdout } = await run(process.execPath, args, { cwd: ROOT, env: ENV, maxBuffer: 64 << 20 }).catch(
    (error: { stdout?: string; stderr?: string }) => {
      if (!error.stdout?.trim().startsWith("[")) throw new Error(`spectral failed: ${error.stderr}`);
      return { stdout: error.stdout };
    },
  );
  return JSON.parse(stdout) as SpectralResult[];
}

async function redocly(document: string): Promise<RedoclyProblem[]> {
  const args = [
    join(ROOT, "node_modules/@redocly/cli/bin/cli.js"),
    "lint",
    document,
    "--config",
    join(ROOT, "redocly.yaml"),
    "--format",
    "json",
  ];
  const { stdout } = await run(process.execPath, args, { cwd: ROOT, env: ENV, maxBuffer: 64 << 20 }).catch(
    (error: { stdout?: string; stderr?: string }) => {
      if (!error.stdout?.includes('"problems"')) throw new Error(`redocly failed: ${error.stderr}`);
      return { stdout: error.stdout };
    },
  );
  return (JSON.parse(stdout.slice(stdout.indexOf("{"))) as { problems: RedoclyProblem[] }).problems;
}

const describeSpectral = (r: SpectralResult) => `${r.code} at ${r.path.join("/")}: ${r.message}`;
const describeRedocly = (p: RedoclyProblem) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`;

describe("API description lint (Spectral with the OWASP ruleset, Redocly)", () => {
  it("Spectral finds no error in the committed document", { timeout: 180_000 }, async () => {
    const errors = (await spectral(DOCUMENT)).filter((r) => r.severity === 0).map(describeSpectral);
    expect(errors).toEqual([]);
  });

  it("Redocly finds no error in the committed document", { timeout: 180_000 }, async () => {
    const errors = (await redocly(DOCUMENT)).filter((p) => p.severity === "error").map(describeRedocly);
    expect(errors).toEqual([]);
  });

  // The linters really look: the same document with an unbounded request string, an unbounded request
  // integer, an unbounded request array and an operation without security fails both.
  it("fails a document with unbounded request fields or an unsecured operation", {
    timeout: 180_000,
  }, async () => {
    const doc = JSON.parse(readFileSync(DOCUMENT, "utf8"));
    const input = doc.components.schemas.ProtectionGroupInput.properties;
    delete input.name.maxLength;
    delete input.sourceServerIds.maxItems;
    const events = doc.paths["/executions/{id}/events"].get;
    const afterSeq = events.parameters.find((p: { name: string }) => p.name === "afterSeq");
    delete afterSeq.schema.maximum;
    delete doc.paths["/accounts"].get.security;
    const dir = tempDir("drso-lint-");
    try {
      const mutated = join(dir.path, "openapi.json");
      writeFileSync(mutated, JSON.stringify(doc, null, 2));
      const found = (await spectral(mutated)).filter((r) => r.severity === 0).map(describeSpectral);
      expect(found).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            /^drso-request-string-limit at components\/schemas\/ProtectionGroupInput\/properties\/name:/,
          ),
          expect.stringMatching(
            /^drso-request-array-limit at components\/schemas\/ProtectionGroupInput\/properties\/sourceServerIds:/,
          ),
          expect.stringMatching(
            /^drso-request-integer-limit at paths\/\/executions\/{id}\/events\/get\/parameters/,
          ),
          expect.stringMatching(/^owasp:api2:2023-read-restricted at paths\/\/accounts\/get/),
        ]),
      );
      const problems = (await redocly(mutated)).filter((p) => p.severity === "error").map(describeRedocly);
      expect(problems).toEqual(
        expect.arrayContaining([expect.stringMatching(/^security-defined at #\/paths\/~1accounts\/get/)]),
      );
    } finally {
      dir.remove();
    }
  });
});
