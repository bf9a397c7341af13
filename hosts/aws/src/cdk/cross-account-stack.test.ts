import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { ORCHESTRATOR_ROLES_SUB, ORCHESTRATOR_ROOT_SUB } from "./cross-account-stack.js";
import {
  CROSS_ACCOUNT_TEMPLATE_PATH,
  crossAccountTemplate,
  formatTemplate,
} from "./cross-account-template.js";
import { REPO_ROOT } from "./drso-app.js";

type Statement = { Sid: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

const template = crossAccountTemplate();
const t = Template.fromJSON(template);
const statements = (
  Object.values(t.findResources("AWS::IAM::Policy"))[0] as {
    Properties: { PolicyDocument: { Statement: Statement[] } };
  }
).Properties.PolicyDocument.Statement;
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe("cross-account role (target accounts)", () => {
  it("is trusted only by the orchestrator account's drs-orchestration-* roles, with the ExternalId", () => {
    t.hasResourceProperties("AWS::IAM::Role", {
      RoleName: { Ref: "RoleName" },
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: "sts:AssumeRole",
            Effect: "Allow",
            Principal: {
              AWS: {
                "Fn::Sub": [ORCHESTRATOR_ROOT_SUB, { Account: { Ref: "OrchestratorAccountId" } }],
              },
            },
            Condition: {
              StringEquals: { "sts:ExternalId": { Ref: "ExternalId" } },
              ArnLike: {
                "aws:PrincipalArn": {
                  "Fn::Sub": [
                    ORCHESTRATOR_ROLES_SUB,
                    {
                      Account: { Ref: "OrchestratorAccountId" },
                      Pattern: { Ref: "OrchestratorRolePattern" },
                    },
                  ],
                },
              },
            },
          },
        ],
      },
    });
    expect(
      (template.Parameters as Record<string, { NoEcho?: boolean; MinLength?: number }>).ExternalId,
    ).toMatchObject({
      NoEcho: true,
      MinLength: 16,
    });
    expect(template.Parameters).toHaveProperty("RoleName.Default", "DRSOrchestrationRole");
  });

  it("allows DRS recovery, termination and failback, SSM actions and quota reads, and nothing broader", () => {
    const all = statements.flatMap(actions);
    expect(all).toEqual(
      expect.arrayContaining([
        "drs:StartRecovery",
        "drs:TerminateRecoveryInstances",
        "drs:StartFailbackLaunch",
        "drs:ReverseReplication",
        "drs:DescribeJobs",
        "ssm:StartAutomationExecution",
        "ssm:SendCommand",
        "servicequotas:GetServiceQuota",
      ]),
    );
    for (const a of all) expect(a).not.toMatch(/^\*$|:\*$|^sts:/);
    // The only IAM action: PassRole of DRS's own service roles to EC2 (iam-coverage.test.ts checks the details).
    expect(all.filter((a) => a.startsWith("iam:"))).toEqual(["iam:PassRole"]);
    const passRole = statements.find((s) => actions(s).includes("iam:PassRole"))!;
    expect(JSON.stringify(passRole.Resource)).toContain(":role/service-role/AWSElasticDisasterRecovery");
    // Write actions are scoped to this account's resources.
    const launch = statements.find((s) => s.Sid === "DrsLaunch")!;
    expect(JSON.stringify(launch.Resource)).toContain('{"Ref":"AWS::AccountId"}');
    expect(JSON.stringify(launch.Resource)).not.toContain('"*"');
  });

  it("needs no CDK bootstrap in the target account and carries no assets", () => {
    expect(template.Rules).toBeUndefined();
    expect(template.Parameters).not.toHaveProperty("BootstrapVersion");
    expect(Object.keys(template.Resources as object)).toHaveLength(2);
  });

  it("is committed as docs/cross-account-role.template.json (run `npm run cross-account-template` after a change)", () => {
    const committed = readFileSync(join(REPO_ROOT, CROSS_ACCOUNT_TEMPLATE_PATH), "utf8");
    expect(JSON.parse(committed)).toEqual(JSON.parse(formatTemplate(template)));
  });
});
