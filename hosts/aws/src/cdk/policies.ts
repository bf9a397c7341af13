import * as iam from "aws-cdk-lib/aws-iam";

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
  const statements = [
    new iam.PolicyStatement({
      sid: "DrsRead",
      actions: [...DRS_READ_ACTIONS],
      // DRS Describe*/Get* take no resource-level permissions.
      resources: ["*"],
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
      sid: "Ec2Read",
      // DRS checks these against the caller; EC2 Describe* take no resource-level permissions.
      actions: [
        "ec2:DescribeInstances",
        "ec2:DescribeInstanceStatus",
        "ec2:DescribeVolumes",
        "ec2:DescribeLaunchTemplateVersions",
      ],
      resources: ["*"],
    }),
    new iam.PolicyStatement({
      sid: "DrsTerminateDependencies",
      // What TerminateRecoveryInstances checks against the caller: instances and volumes of this account only.
      actions: ["ec2:TerminateInstances", "ec2:DeleteVolume"],
      resources: [arn("ec2", "instance/*"), arn("ec2", "volume/*")],
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
        sid: "DrsLaunchDependencies",
        // What StartRecovery and UpdateLaunchConfiguration check against the caller: the launch templates.
        actions: ["ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate"],
        resources: [arn("ec2", "launch-template/*")],
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
        actions: ["ssm:GetAutomationExecution", "ssm:ListCommandInvocations", "ssm:GetCommandInvocation"],
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
