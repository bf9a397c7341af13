import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Template } from "aws-cdk-lib/assertions";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { createDrsoApp } from "../cdk/drso-app.js";
import { ACKNOWLEDGED } from "../cdk/nag.js";
import { NESTED_STACKS } from "../cdk/root-stack.js";

export type NestedName = (typeof NESTED_STACKS)[number];

/** A stand-in for `packages/web/dist`: what the build produces (index.html + hashed assets). */
export function fakeWebBuild(root: string): string {
  const dir = join(root, "web-dist");
  mkdirSync(join(dir, "assets"), { recursive: true });
  writeFileSync(
    join(dir, "index.html"),
    '<!doctype html><script type="module" src="/assets/index-abc123.js"></script>',
  );
  writeFileSync(join(dir, "assets", "index-abc123.js"), "console.log('ui');");
  writeFileSync(join(dir, "favicon.ico"), "");
  return dir;
}

/**
 * Synthesizes the whole app once (nag included: a finding without an acknowledgement makes this throw) and
 * returns the templates. The Lambda code is a stand-in here: the bundles have their own test.
 */
export function synthesizeApp(context: Record<string, unknown> = {}) {
  const root = mkdtempSync(join(tmpdir(), "drso-synth-"));
  const outdir = join(root, "cdk.out");
  const acknowledgedBefore = ACKNOWLEDGED.length;
  const started = Date.now();
  const {
    app,
    root: stack,
    crossAccount,
    parameters,
  } = createDrsoApp({
    outdir,
    context: { webDistDir: fakeWebBuild(root), adminEmail: "dr-team@example.com", ...context },
    code: () => lambda.Code.fromInline("export const handler = async () => ({});"),
  });
  const assembly = app.synth();
  const synthMs = Date.now() - started;
  const nested = {} as Record<NestedName, Template>;
  for (const name of NESTED_STACKS) {
    const s = stack.nestedStacks[name];
    if (s) nested[name] = Template.fromStack(s);
  }
  const report = JSON.parse(readFileSync(join(outdir, "validation-report.json"), "utf8")) as {
    pluginReports: Array<{ pluginName: string; violations: Array<{ ruleName: string; severity: string }> }>;
  };
  return {
    app,
    assembly,
    stack,
    crossAccount,
    parameters,
    synthMs,
    root: Template.fromStack(stack),
    nested,
    crossAccountTemplate: Template.fromStack(crossAccount),
    report,
    acknowledged: ACKNOWLEDGED.slice(acknowledgedBefore),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

export type SynthesizedApp = ReturnType<typeof synthesizeApp>;

/** `{ "Fn::Join": ["", [...]] }` → the parts, tokens as `${Ref}` strings (for reading generated JSON). */
export function joinToString(value: unknown): string {
  if (typeof value === "string") return value;
  const join = (value as { "Fn::Join"?: [string, unknown[]] })["Fn::Join"];
  if (!join) return JSON.stringify(value);
  return join[1].map((part) => (typeof part === "string" ? part : "<TOKEN>")).join(join[0]);
}
