/**
 * Which IAM actions each AWS SDK command the Lambda bundles contain needs, from AWS's Service Authorization
 * Reference (SAR). The IAM coverage test (iam-coverage.test.ts) derives the commands from the bundles (esbuild
 * metafile: every `@aws-sdk/<client>/dist-es/commands/<Name>Command.js` module that ends up in a bundle) and
 * fails on a command missing here, and on an action missing from the function's role (or, for target-account
 * services, from the cross-account role).
 *
 * Keys: `<client package>/<Operation>` (`client-ssm/ListCommands`, `nested-clients/sts/AssumeRole`).
 */
export interface CommandPermission {
  /** IAM actions the call is authorized by (empty: none: see `note`). */
  actions: readonly string[];
  /** Where the mapping comes from. */
  ref: string;
  note?: string;
}

const SAR = "https://docs.aws.amazon.com/service-authorization/latest/reference";
const DRS = `${SAR}/list_awselasticdisasterrecovery.html`;
const SSM = `${SAR}/list_awssystemsmanager.html`;
const DDB = `${SAR}/list_amazondynamodb.html`;
const SFN = `${SAR}/list_awsstepfunctions.html`;
const STS = `${SAR}/list_awssecuritytokenservice.html`;
const COGNITO = `${SAR}/list_amazoncognitouserpools.html`;
const SQ = `${SAR}/list_servicequotas.html`;
const SNS = `${SAR}/list_amazonsns.html`;
const EVENTS = `${SAR}/list_amazoneventbridge.html`;
const LIB_DDB = "https://docs.aws.amazon.com/AWSJavaScriptSDK/v3/latest/Package/-aws-sdk-lib-dynamodb/";

/** Same-named action (the usual case in SAR's Actions table). */
function same(prefix: string, ref: string, ...operations: string[]): Record<string, CommandPermission> {
  return Object.fromEntries(operations.map((op) => [op, { actions: [`${prefix}:${op}`], ref }]));
}

function client(pkg: string, entries: Record<string, CommandPermission>): Record<string, CommandPermission> {
  return Object.fromEntries(Object.entries(entries).map(([op, p]) => [`${pkg}/${op}`, p]));
}

/** Document-client commands marshal and call the client-dynamodb command of the same kind (checked there). */
function libDynamo(...pairs: Array<[string, string]>): Record<string, CommandPermission> {
  return Object.fromEntries(
    pairs.map(([lib, base]) => [
      `lib-dynamodb/${lib}`,
      { actions: [], ref: LIB_DDB, note: `wraps client-dynamodb/${base}` },
    ]),
  );
}

export const SDK_COMMAND_PERMISSIONS: Record<string, CommandPermission> = {
  ...client("client-drs", {
    ...same(
      "drs",
      DRS,
      "DescribeSourceServers",
      "DescribeJobs",
      "DescribeJobLogItems",
      "DescribeRecoveryInstances",
      "GetLaunchConfiguration",
      "DescribeRecoverySnapshots",
      "UpdateLaunchConfiguration",
      "ReverseReplication",
      "StartFailbackLaunch",
      "TerminateRecoveryInstances",
    ),
    // SAR: StartRecovery needs drs:CreateRecoveryInstanceForDrs (the recovery instance DRS registers) and, with
    // tags on the job, drs:TagResource; its EC2/IAM dependent actions are in DRS_DEPENDENT_ACTIONS.
    StartRecovery: {
      actions: ["drs:StartRecovery", "drs:CreateRecoveryInstanceForDrs", "drs:TagResource"],
      ref: DRS,
    },
  }),
  ...client(
    "client-ssm",
    same(
      "ssm",
      SSM,
      "SendCommand",
      "ListCommands",
      "GetCommandInvocation",
      "StartAutomationExecution",
      "GetAutomationExecution",
      "DescribeDocument",
    ),
  ),
  ...client(
    "client-service-quotas",
    same("servicequotas", SQ, "GetServiceQuota", "GetAWSDefaultServiceQuota"),
  ),
  ...client("client-dynamodb", {
    ...same(
      "dynamodb",
      DDB,
      "GetItem",
      "BatchGetItem",
      "PutItem",
      "UpdateItem",
      "DeleteItem",
      "BatchWriteItem",
      "Query",
      "Scan",
    ),
    // SAR: TransactWriteItems has no action of its own; each item needs the action of its kind.
    TransactWriteItems: {
      actions: ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"],
      ref: DDB,
      note: "the store's transactions put, update and condition-check (never delete)",
    },
    DescribeEndpoints: {
      actions: [],
      ref: DDB,
      note: "endpoint discovery, used only when endpointDiscoveryEnabled is set (never: DynamoDB does not need it)",
    },
  }),
  ...libDynamo(
    ["Get", "GetItem"],
    ["Put", "PutItem"],
    ["Update", "UpdateItem"],
    ["Delete", "DeleteItem"],
    ["Query", "Query"],
    ["Scan", "Scan"],
    ["BatchGet", "BatchGetItem"],
    ["BatchWrite", "BatchWriteItem"],
    ["TransactWrite", "TransactWriteItems"],
  ),
  ...client(
    "client-sfn",
    same("states", SFN, "StartExecution", "DescribeExecution", "ListExecutions", "SendTaskSuccess"),
  ),
  ...client("client-sns", same("sns", SNS, "Publish")),
  ...client("client-eventbridge", same("events", EVENTS, "PutEvents")),
  ...client(
    "client-cognito-identity-provider",
    same(
      "cognito-idp",
      COGNITO,
      "AdminAddUserToGroup",
      "AdminCreateUser",
      "AdminDeleteUser",
      "AdminDisableUser",
      "AdminEnableUser",
      "AdminGetUser",
      "AdminListGroupsForUser",
      "AdminRemoveUserFromGroup",
      "AdminSetUserPassword",
      "AdminUpdateUserAttributes",
      "AdminUserGlobalSignOut",
      "ListUsers",
      "ListUsersInGroup",
    ),
  ),
  ...client("client-sts", same("sts", STS, "AssumeRole")),
};

/**
 * Commands that are in every bundle because the default credential chain (@aws-sdk/credential-provider-node)
 * references them, but are never called on Lambda: the runtime puts the role's credentials in the environment,
 * the chain's first provider. (Where they would be called, most need no IAM permission of the caller anyway:
 * AssumeRoleWithWebIdentity/SAML and the SSO portal are authenticated by their token.)
 */
export const CREDENTIAL_CHAIN_ONLY: readonly string[] = [
  "nested-clients/sts/AssumeRole",
  "nested-clients/sts/AssumeRoleWithWebIdentity",
  "nested-clients/sso/GetRoleCredentials",
  "nested-clients/sso-oidc/CreateToken",
  "nested-clients/signin/CreateOAuth2Token",
  "nested-clients/signin/CreateOAuth2TokenWithIAM",
  "client-sso/GetRoleCredentials",
  "client-sso/ListAccountRoles",
  "client-sso/ListAccounts",
  "client-sso/Logout",
  "client-sso-oidc/CreateToken",
  "client-sso-oidc/CreateTokenWithIAM",
  "client-sso-oidc/RegisterClient",
  "client-sso-oidc/StartDeviceAuthorization",
  // client-sts is imported by the DRS adapter for AssumeRole (mapped above); its other commands come along
  // with the package's aggregated client and are never sent.
  "client-sts/AssumeRoleWithSAML",
  "client-sts/AssumeRoleWithWebIdentity",
  "client-sts/DecodeAuthorizationMessage",
  "client-sts/GetAccessKeyInfo",
  "client-sts/GetCallerIdentity",
  "client-sts/GetFederationToken",
  "client-sts/GetSessionToken",
];

/**
 * Commands a bundle contains (the composition shares adapters between functions) that the function never
 * sends, with the reason: they are not granted to that function on purpose.
 */
export const NOT_SENT_BY: Record<string, Record<string, string>> = {
  api: {
    "client-drs/StartRecovery": "launches run in the step function (the API only records the command)",
    "client-drs/StartFailbackLaunch": "launches run in the step function",
    "client-drs/ReverseReplication": "engine effect: step function",
    "client-drs/UpdateLaunchConfiguration": "engine effect: step function",
    "client-ssm/SendCommand": "wave actions run in the step function",
    "client-ssm/ListCommands": "wave actions run in the step function",
    "client-ssm/GetCommandInvocation": "wave actions run in the step function",
    "client-ssm/StartAutomationExecution": "wave actions run in the step function",
    "client-ssm/GetAutomationExecution": "wave actions run in the step function",
  },
  "pause-token": {
    "client-sts/AssumeRole":
      "never addresses a target account (only its own DynamoDB tables and state machine)",
    "client-sfn/StartExecution": "only SendTaskSuccess (a token that arrives for a settled execution)",
    "client-sfn/DescribeExecution": "only SendTaskSuccess",
    "client-sfn/ListExecutions": "only SendTaskSuccess",
  },
  sweeper: {
    "client-drs/StartRecovery":
      "launches run in the step function (the sweeper reads DRS for readiness only)",
    "client-drs/StartFailbackLaunch": "launches run in the step function",
    "client-drs/ReverseReplication": "engine effect: step function",
    "client-drs/UpdateLaunchConfiguration": "engine effect: step function",
    "client-drs/TerminateRecoveryInstances": "engine effect: step function",
    "client-ssm/SendCommand": "wave actions run in the step function",
    "client-ssm/ListCommands": "wave actions run in the step function",
    "client-ssm/GetCommandInvocation": "wave actions run in the step function",
    "client-ssm/StartAutomationExecution": "wave actions run in the step function",
    "client-ssm/GetAutomationExecution": "wave actions run in the step function",
  },
};

/** Clients whose calls use the target account's credentials (the cross-account role) when it has one. */
export const TARGET_ACCOUNT_CLIENTS = ["client-drs", "client-ssm", "client-service-quotas"] as const;

/**
 * What DRS does with the *caller's* permissions (forward access sessions) while it launches, fails back or
 * terminates: SAR's "Dependent actions" of drs:StartRecovery, drs:StartFailbackLaunch, drs:ReverseReplication
 * and drs:TerminateRecoveryInstances, as AWS's managed policy AWSElasticDisasterRecoveryConsoleFullAccess_v2
 * grants them (conditioned on aws:CalledVia drs.amazonaws.com). `managed` = destructive or modifying actions,
 * limited to resources DRS tagged `AWSElasticDisasterRecoveryManaged`.
 */
export const DRS_DEPENDENT_ACTIONS = {
  ref: `${DRS} (Dependent actions column); https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSElasticDisasterRecoveryConsoleFullAccess_v2.html`,
  read: [
    "ec2:DescribeAccountAttributes",
    "ec2:DescribeAvailabilityZones",
    "ec2:DescribeImages",
    "ec2:DescribeInstanceAttribute",
    "ec2:DescribeInstanceStatus",
    "ec2:DescribeInstanceTypes",
    "ec2:DescribeInstances",
    "ec2:DescribeLaunchTemplateVersions",
    "ec2:DescribeLaunchTemplates",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSnapshots",
    "ec2:DescribeSubnets",
    "ec2:DescribeVolumes",
  ],
  create: [
    "ec2:RunInstances",
    "ec2:CreateVolume",
    "ec2:CreateSnapshot",
    "ec2:CreateLaunchTemplate",
    "ec2:CreateLaunchTemplateVersion",
    "ec2:CreateSecurityGroup",
    "ec2:CreateTags",
  ],
  managed: [
    "ec2:AttachVolume",
    "ec2:DetachVolume",
    "ec2:StartInstances",
    "ec2:StopInstances",
    "ec2:TerminateInstances",
    "ec2:DeleteVolume",
    "ec2:DeleteSnapshot",
    "ec2:ModifyInstanceAttribute",
    "ec2:ModifyLaunchTemplate",
    "ec2:DeleteLaunchTemplateVersions",
    "ec2:AuthorizeSecurityGroupEgress",
    "ec2:AuthorizeSecurityGroupIngress",
    "ec2:RevokeSecurityGroupEgress",
  ],
  passRole: "iam:PassRole",
} as const;

/** The tag DRS puts on every EC2 resource it creates (value drs.amazonaws.com). */
export const DRS_MANAGED_TAG = "AWSElasticDisasterRecoveryManaged";

/** The IAM roles DRS passes to EC2 (instance profiles of replication, conversion and recovery instances). */
export const DRS_SERVICE_ROLE_NAMES = [
  "AWSElasticDisasterRecoveryReplicationServerRole",
  "AWSElasticDisasterRecoveryConversionServerRole",
  "AWSElasticDisasterRecoveryRecoveryInstanceRole",
  "AWSElasticDisasterRecoveryRecoveryInstanceWithLaunchActionsRole",
  "AWSElasticDisasterRecoveryFailbackInstanceRole",
] as const;
