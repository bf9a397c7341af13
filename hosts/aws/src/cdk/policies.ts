import * as iam from "aws-cdk-lib/aws-iam";
import { DRS_DEPENDENT_ACTIONS, DRS_MANAGED_TAG, DRS_SERVICE_ROLE_NAMES } from "./iam-table.js";

/** Only when DRS makes the call with the caller's forward access session. */
const VIA_DRS = { "ForAnyValue:StringEquals": { "aws:CalledVia": ["drs.amazonaws.com"] } };

/**
 * What the orchestrator does in an account that holds DRS source servers: the same statements go into the
 * cross-account role of every target account and into the engine's own role (for the orchestrator's own
 * account). DRS supports resource-level permissions for its write actions on source servers and recovery
 * instances; its Describe* actions, and the EC2 calls DRS makes with the caller's permissions during a launch,
 * do not (they need "*").
 */
export interface DrsPolicyOptions {
  /** `${AWS::AccountId}` of the account whose DRS resources are addressed. */
  account: string;
  /** Default "*" (every region of that account). */
  region?: string;
  partition?: string;
  /** false = read-only (the API); true = launches, terminations and failbacks (the engine). */
  write: boolean;
  /** SSM automation and run-command actions of wave actions. */
  ssm: boolean;
}

export const DRS_READ_ACTIONS = [
  "drs:DescribeSourceServers",
  "drs:DescribeJobs",
  "drs:DescribeJobLogItems",
  "drs:DescribeRecoveryInstances",
  "drs:DescribeRecoverySnapshots",
  "drs:GetLaunchConfiguration",
  "drs:ListTagsForResource",
] as const;

export function drsStatements(options: DrsPolicyOptions): iam.PolicyStatement[] {
  const partition = options.partition ?? "aws";
  const region = options.region ?? "*";
  const arn = (service: string, resource: string) =>
    `arn:${partition}:${service}:${region}:${options.account}:${resource}`;
  const ec2Resources = [
    arn("ec2", "instance/*"),
    arn("ec2", "volume/*"),
    arn("ec2", "launch-template/*"),
    arn("ec2", "security-group/*"),
    // Snapshot ARNs carry no account.
    `arn:${partition}:ec2:${region}::snapshot/*`,
  ];
  const statements = [
    new iam.PolicyStatement({
      sid: "DrsRead",
      actions: [...DRS_READ_ACTIONS],
      // DRS Describe*/Get* take no resource-level permissions.
      resources: ["*"],
    }),
    new iam.PolicyStatement({
      sid: "SsmDescribeDocuments",
      // Plan readiness: the SSM documents wave actions name exist (read-only; AWS-owned ones have no account).
      actions: ["ssm:DescribeDocument"],
      resources: [`arn:${partition}:ssm:${region}:*:document/*`],
    }),
    new iam.PolicyStatement({
      sid: "ServiceQuotas",
      actions: ["servicequotas:GetServiceQuota"],
      resources: [`arn:${partition}:servicequotas:${region}:${options.account}:drs/*`],
    }),
    new iam.PolicyStatement({
      sid: "ServiceQuotaDefaults",
      // AWS's default quota values are the same for every account: not an account resource.
      actions: ["servicequotas:GetAWSDefaultServiceQuota"],
      resources: ["*"],
    }),
    new iam.PolicyStatement({
      sid: "DrsTerminate",
      actions: ["drs:TerminateRecoveryInstances"],
      resources: [arn("drs", "recovery-instance/*")],
    }),
    new iam.PolicyStatement({
      sid: "DrsDependentRead",
      // What DRS reads with the caller's permissions (forward access session) while it launches or terminates.
      // EC2 Describe* take no resource-level permissions; only when DRS makes the call.
      actions: [...DRS_DEPENDENT_ACTIONS.read],
      resources: ["*"],
      conditions: VIA_DRS,
    }),
    new iam.PolicyStatement({
      sid: "DrsDependentManaged",
      // Destructive and modifying EC2 calls DRS makes for the caller: only on resources DRS created and tagged,
      // only through DRS. Read-only principals (the API) get what TerminateRecoveryInstances needs.
      actions: options.write
        ? [...DRS_DEPENDENT_ACTIONS.managed]
        : ["ec2:TerminateInstances", "ec2:DeleteVolume"],
      resources: options.write ? ec2Resources : ec2Resources.slice(0, 2),
      conditions: {
        ...VIA_DRS,
        StringEquals: { [`aws:ResourceTag/${DRS_MANAGED_TAG}`]: "drs.amazonaws.com" },
      },
    }),
  ];
  if (options.write) {
    statements.push(
      new iam.PolicyStatement({
        sid: "DrsLaunch",
        actions: [
          "drs:StartRecovery",
          "drs:StartFailbackLaunch",
          "drs:ReverseReplication",
          "drs:UpdateLaunchConfiguration",
          "drs:CreateRecoveryInstanceForDrs",
          "drs:TagResource",
        ],
        resources: [arn("drs", "source-server/*"), arn("drs", "recovery-instance/*"), arn("drs", "job/*")],
      }),
      new iam.PolicyStatement({
        sid: "DrsDependentCreate",
        // What DRS creates for the caller during a launch (instances, volumes, snapshots, launch templates and
        // their versions, security groups, tags on them). RunInstances alone touches a dozen resource types
        // (image, subnet, network interface, key pair, …): "*", only when DRS makes the call.
        actions: [...DRS_DEPENDENT_ACTIONS.create],
        resources: ["*"],
        conditions: VIA_DRS,
      }),
      new iam.PolicyStatement({
        sid: "DrsPassServiceRoles",
        // DRS attaches its instance profiles to the instances it launches: only DRS's own service roles, only to EC2.
        actions: [DRS_DEPENDENT_ACTIONS.passRole],
        resources: DRS_SERVICE_ROLE_NAMES.map(
          (name) => `arn:${partition}:iam::${options.account}:role/service-role/${name}`,
        ),
        conditions: { StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } },
      }),
    );
  }
  if (options.ssm) {
    statements.push(
      new iam.PolicyStatement({
        sid: "SsmRunActions",
        actions: ["ssm:StartAutomationExecution", "ssm:SendCommand"],
        resources: [
          `arn:${partition}:ssm:${region}:*:automation-definition/*`,
          `arn:${partition}:ssm:${region}:*:document/*`,
          `arn:${partition}:ec2:${region}:${options.account}:instance/*`,
        ],
      }),
      new iam.PolicyStatement({
        sid: "SsmReadActions",
        // Status reads of automations and commands take no resource-level permissions.
        // ListCommands: the runner finds a command it already sent (idempotent start) and polls its status.
        actions: [
          "ssm:GetAutomationExecution",
          "ssm:ListCommands",
          "ssm:ListCommandInvocations",
          "ssm:GetCommandInvocation",
        ],
        resources: ["*"],
      }),
    );
  }
  return statements;
}

/** The orchestrator may assume this role name in any account, and nothing else. */
export function assumeTargetRoleStatement(roleName: string, partition = "aws"): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: "AssumeTargetAccountRole",
    actions: ["sts:AssumeRole"],
    resources: [`arn:${partition}:iam::*:role/${roleName}`],
  });
}
