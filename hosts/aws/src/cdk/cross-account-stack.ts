import {
  CfnOutput,
  CfnParameter,
  CliCredentialsStackSynthesizer,
  Fn,
  type IStackSynthesizer,
  Stack,
  type StackProps,
} from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import type { Construct } from "constructs";
import { drsStatements } from "./policies.js";

/** CloudFormation Fn::Sub templates (their `${…}` are CloudFormation's, not JavaScript's). */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub syntax
export const ORCHESTRATOR_ROOT_SUB = "arn:${AWS::Partition}:iam::${Account}:root";
// biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub syntax
export const ORCHESTRATOR_ROLES_SUB = "arn:${AWS::Partition}:iam::${Account}:role/${Pattern}";

/**
 * For every target account (where the DRS source servers live): the role the orchestrator assumes, per
 * account and region. Trust: only the orchestrator account's `drs-orchestration-*` roles, only with the
 * ExternalId. Permissions: DRS recovery, termination and failback on this account's DRS resources, the EC2
 * calls DRS checks against the caller, SSM for wave actions, Service Quotas for DRS.
 *
 * Plain CloudFormation parameters (no CDK context, no assets), so the synthesized template also works on its
 * own: docs/cross-account-role.template.json.
 */
export class CrossAccountStack extends Stack {
  readonly role: iam.Role;
  readonly policy: iam.Policy;

  constructor(scope: Construct, id: string, props: StackProps & { defaultRoleName?: string } = {}) {
    super(scope, id, {
      description: "DRS Orchestrator: cross-account role for a target account (DRSOrchestrationRole)",
      // (cast: see cdk-types.ts) No assets: deployable with the CLI's credentials into accounts that were never CDK-bootstrapped.
      synthesizer: new CliCredentialsStackSynthesizer() as unknown as IStackSynthesizer,
      analyticsReporting: false,
      ...props,
    });
    const orchestratorAccount = new CfnParameter(this, "OrchestratorAccountId", {
      type: "String",
      allowedPattern: "^\\d{12}$",
      description: "The AWS account where DRS Orchestrator runs",
    });
    const externalId = new CfnParameter(this, "ExternalId", {
      type: "String",
      minLength: 16,
      maxLength: 1224,
      allowedPattern: "^[\\w+=,.@:/-]+$",
      noEcho: true,
      description:
        "Shared secret the orchestrator passes when it assumes the role (set it on the account in the UI)",
    });
    const roleName = new CfnParameter(this, "RoleName", {
      type: "String",
      default: props.defaultRoleName ?? "DRSOrchestrationRole",
      allowedPattern: "^[\\w+=,.@-]{1,64}$",
      description: "Name of the role (the orchestrator's crossAccountRoleName)",
    });
    const principalPattern = new CfnParameter(this, "OrchestratorRolePattern", {
      type: "String",
      default: "drs-orchestration-*",
      allowedPattern: "^[\\w+=,.@*-]{1,64}$",
      description: "Names of the orchestrator's Lambda roles allowed to assume this role",
    });

    this.role = new iam.Role(this, "Role", {
      roleName: roleName.valueAsString,
      description: "Assumed by DRS Orchestrator to run drills, recoveries and failbacks in this account",
      assumedBy: new iam.ArnPrincipal(
        Fn.sub(ORCHESTRATOR_ROOT_SUB, { Account: orchestratorAccount.valueAsString }),
      ).withConditions({
        StringEquals: { "sts:ExternalId": externalId.valueAsString },
        ArnLike: {
          "aws:PrincipalArn": Fn.sub(ORCHESTRATOR_ROLES_SUB, {
            Account: orchestratorAccount.valueAsString,
            Pattern: principalPattern.valueAsString,
          }),
        },
      }),
    });
    const policy = new iam.Policy(this, "Permissions", {
      policyName: "drs-orchestration",
      statements: drsStatements({ account: this.account, partition: this.partition, write: true, ssm: true }),
    });
    policy.attachToRole(this.role);
    this.policy = policy;

    new CfnOutput(this, "RoleArn", {
      description: "Register the account in DRS Orchestrator with this role ARN and the ExternalId",
      value: this.role.roleArn,
    });
  }
}
