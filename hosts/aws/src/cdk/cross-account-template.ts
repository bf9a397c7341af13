import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { acknowledgeCrossAccountFindings } from "./acknowledgements.js";
import { CrossAccountStack } from "./cross-account-stack.js";
import { addNagChecks } from "./nag.js";

/**
 * The cross-account role as a standalone CloudFormation template (for target accounts managed without CDK):
 * synthesized from the same stack, checked by cdk-nag, committed as docs/cross-account-role.template.json.
 */
export function crossAccountTemplate(): Record<string, unknown> {
  const outdir = mkdtempSync(join(tmpdir(), "drso-xacct-"));
  try {
    const app = new App({ outdir });
    addNagChecks(app);
    const stack = new CrossAccountStack(app, "DrsOrchestratorTargetAccountRole");
    acknowledgeCrossAccountFindings(stack);
    app.synth();
    return Template.fromStack(stack).toJSON();
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export const CROSS_ACCOUNT_TEMPLATE_PATH = "docs/cross-account-role.template.json";

export function formatTemplate(template: Record<string, unknown>): string {
  return `${JSON.stringify(template, null, 2)}\n`;
}
