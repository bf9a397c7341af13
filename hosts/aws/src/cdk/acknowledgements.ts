import { Stack } from "aws-cdk-lib";
import type { IConstruct } from "constructs";
import type { FunctionName } from "./constructs/compute.js";
import type { CrossAccountStack } from "./cross-account-stack.js";
import { type Acknowledgement, acknowledge } from "./nag.js";
import type { RootStack } from "./root-stack.js";

/*
 * Every cdk-nag finding this app keeps, each on the narrowest construct, each with its reason. Anything not
 * listed here fails the synth (and the nag test).
 */

const XRAY: Acknowledgement = {
  id: "AwsSolutions-IAM5[Resource::*]",
  reason:
    "Only actions without resource-level permissions, or created by DRS at run time: X-Ray PutTraceSegments/PutTelemetryRecords, DRS Describe*/Get*/ListTagsForResource, Service Quotas GetAWSDefaultServiceQuota, SSM GetAutomationExecution/ListCommands/ListCommandInvocations/GetCommandInvocation; EC2 Describe* and the EC2 create calls of a DRS launch only with aws:CalledVia drs.amazonaws.com (see the Sid of each statement).",
};

const NODE_22: Acknowledgement = {
  id: "AwsSolutions-L1",
  reason:
    "Node.js 22 is the runtime the code is built and tested for (esbuild target node22, CI on Node 20/22); move to the next LTS deliberately, not implicitly.",
};

const DRS_RESOURCES = (scope: IConstruct, write: boolean) => {
  const acks: Acknowledgement[] = [
    {
      id: "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:drs:*:<AWS::AccountId>:recovery-instance/*]",
      reason:
        "Recovery instances are created by DRS during a drill or recovery; their IDs are unknown in advance. Scoped to this account.",
    },
    {
      id: "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:*:<AWS::AccountId>:instance/*]",
      reason:
        "TerminateRecoveryInstances (and SSM SendCommand) act on EC2 instances DRS launched at run time. Scoped to this account; the EC2 actions only via DRS (aws:CalledVia) and only on resources tagged AWSElasticDisasterRecoveryManaged.",
    },
    {
      id: "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:*:<AWS::AccountId>:volume/*]",
      reason:
        "TerminateRecoveryInstances deletes the volumes of recovery instances. Scoped to this account, only via DRS, only DRS-tagged volumes.",
    },
    {
      id: "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:servicequotas:*:<AWS::AccountId>:drs/*]",
      reason: "Reads the DRS quotas (L-B827C881, L-D88FAC3A, L-05AFA8C6) in every region the account uses.",
    },
  ];
  if (write)
    acks.push(
      {
        id: "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:drs:*:<AWS::AccountId>:source-server/*]",
        reason:
          "Protection groups select source servers by tag at run time; recovery is allowed on this account's source servers only.",
      },
      {
        id: "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:drs:*:<AWS::AccountId>:job/*]",
        reason:
          "DRS jobs are created by StartRecovery and tagged by the engine; their IDs are unknown in advance.",
      },
      {
        id: "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:*:<AWS::AccountId>:launch-template/*]",
        reason:
          "Each source server's DRS launch template is created by DRS; UpdateLaunchConfiguration writes protection-group launch settings to it (only via DRS, only DRS-tagged templates).",
      },
      {
        id: "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:*:<AWS::AccountId>:security-group/*]",
        reason:
          "DRS creates and adjusts the security groups of recovery and failback instances: only via DRS, only DRS-tagged groups.",
      },
      {
        id: "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:*::snapshot/*]",
        reason:
          "DRS deletes the snapshots it took during a launch (snapshot ARNs carry no account): only via DRS, only DRS-tagged snapshots.",
      },
      {
        id: "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:*:*:automation-definition/*]",
        reason:
          "Wave actions name any SSM automation document, including AWS-owned ones (owned by an AWS account, hence the account wildcard).",
      },
      {
        id: "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:*:*:document/*]",
        reason:
          "Wave actions run any SSM command document, including AWS-owned ones (AWS-RunShellScript …); plan readiness checks that they exist (DescribeDocument).",
      },
    );
  else
    acks.push({
      id: "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:*:*:document/*]",
      reason:
        "Plan readiness checks that the SSM documents wave actions name exist (DescribeDocument, read-only), including AWS-owned ones (no account in their ARN).",
    });
  acknowledge(scope, ...acks);
};

function bucketDeploymentHandlers(stack: Stack): IConstruct[] {
  return stack.node.children.filter((c) => c.node.id.startsWith("Custom::CDKBucketDeployment"));
}

function autoDeleteProviders(stack: Stack): IConstruct[] {
  return stack.node.children.filter((c) => c.node.id.startsWith("Custom::S3AutoDeleteObjects"));
}

export function acknowledgeFindings(root: RootStack, crossAccount: CrossAccountStack): void {
  acknowledgeRootFindings(root);
  acknowledgeCrossAccountFindings(crossAccount);
}

export function acknowledgeCrossAccountFindings(crossAccount: CrossAccountStack): void {
  acknowledge(crossAccount.policy, XRAY);
  DRS_RESOURCES(crossAccount.policy, true);
}

export function acknowledgeRootFindings(root: RootStack): void {
  const p = root.parameters;

  // ---------------------------------------------------------------- Cognito
  acknowledge(root.identity.userPool, {
    id: "AwsSolutions-COG1",
    reason:
      "The seed's password policy: at least 8 characters with upper case, lower case and digits, no symbol rule (NIST SP 800-63B advises against composition rules); the same policy as local mode.",
  });
  if (p.mfa === "optional")
    acknowledge(root.identity.userPool, {
      id: "AwsSolutions-COG2",
      reason:
        "MFA is optional (TOTP) as in the seed; deploy with -c mfa=required to require it for every user. Threat protection (Plus plan) is enforced.",
    });

  // ---------------------------------------------------------------- Lambda roles
  const roles = root.compute.roles;
  for (const name of Object.keys(roles) as FunctionName[]) {
    acknowledge(roles[name], XRAY);
    acknowledge(root.compute.functions[name], NODE_22);
  }
  for (const name of ["api", "sweeper"] as const)
    acknowledge(roles[name], {
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${root.names.stateMachine}:*]`,
      reason:
        "DescribeExecution on this state machine's executions only; execution names are the orchestrator's execution IDs, created at run time.",
    });
  for (const name of ["api", "step", "sweeper"] as const) {
    acknowledge(roles[name], {
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${p.crossAccountRoleName}]`,
      reason:
        "Target accounts are registered at run time; the orchestrator may assume only the cross-account role name, which trusts it only with the account's ExternalId.",
    });
    DRS_RESOURCES(roles[name], name === "step");
  }

  // ---------------------------------------------------------------- Step Functions
  acknowledge(root.orchestration.role, {
    id: "AwsSolutions-IAM5[Resource::*]",
    reason:
      "X-Ray tracing and CloudWatch Logs delivery (logs:CreateLogDelivery, PutResourcePolicy, Describe*) take no resource-level permissions.",
  });

  // ---------------------------------------------------------------- API Gateway
  for (const method of root.api.restApi.methods) {
    if (
      method.resource.path === `${root.api.basePath}/health` ||
      method.resource.path === `${root.api.basePath}/openapi.json`
    ) {
      const reason = method.resource.path.endsWith("health")
        ? "The liveness check is public by design (load balancers, uptime checks); it returns no data."
        : "The OpenAPI document is public by design: it describes the API, holds no data, and every route it lists requires a Cognito token.";
      acknowledge(method, { id: "AwsSolutions-APIG4", reason }, { id: "AwsSolutions-COG4", reason });
    }
    if (method.httpMethod === "OPTIONS") {
      const reason =
        "CORS preflight requests carry no credentials by definition (only with -c corsOrigins=…).";
      acknowledge(method, { id: "AwsSolutions-APIG4", reason }, { id: "AwsSolutions-COG4", reason });
    }
  }
  const cloudWatchRole = root.api.restApi.node.tryFindChild("CloudWatchRole");
  if (cloudWatchRole)
    acknowledge(cloudWatchRole, {
      id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]",
      reason:
        "API Gateway's account-level logging role (needed for execution logs, APIG6) with the AWS managed policy designed for it.",
    });
  if (!p.wafEnabled)
    acknowledge(root.api.restApi, {
      id: "AwsSolutions-APIG3",
      reason: "WAF was turned off for this deployment with -c wafEnabled=false (it is on by default).",
    });

  // ---------------------------------------------------------------- frontend
  if (root.frontend) {
    const distribution = root.frontend.distribution;
    acknowledge(
      distribution,
      {
        id: "AwsSolutions-CFR1",
        reason:
          "A DR team must reach its orchestrator from wherever it is on the worst day; access is controlled by Cognito, not geography.",
      },
      {
        id: "AwsSolutions-CFR2",
        reason:
          "CloudFront serves only static files; the API behind /api/* is protected by the regional WAF on API Gateway. A CLOUDFRONT web ACL must live in us-east-1 while this stack lives in the recovery region.",
      },
    );
    if (!p.certificateArn)
      acknowledge(distribution, {
        id: "AwsSolutions-CFR4",
        reason:
          "With the default *.cloudfront.net certificate CloudFront cannot enforce a minimum TLS version; deploy with -c domainName=… -c certificateArn=… to get TLSv1.2_2021 (which is configured).",
      });
    const frontendStack = Stack.of(root.frontend);
    for (const handler of bucketDeploymentHandlers(frontendStack)) {
      acknowledge(
        handler,
        {
          id: "AwsSolutions-L1",
          reason:
            "The BucketDeployment handler is provided and versioned by aws-cdk-lib (it runs only at deploy time).",
        },
        {
          id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
          reason: "aws-cdk-lib's BucketDeployment handler role (deploy time only): basic Lambda logging.",
        },
        ...[
          "Action::s3:GetObject*",
          "Action::s3:GetBucket*",
          "Action::s3:List*",
          "Action::s3:DeleteObject*",
          "Action::s3:Abort*",
          "Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*",
          "Resource::*",
        ].map((finding) => ({
          id: `AwsSolutions-IAM5[${finding}]`,
          reason:
            "aws-cdk-lib's BucketDeployment handler copies the built web app from the CDK asset bucket to the site bucket (deploy time only; grants generated by aws-cdk-lib).",
        })),
      );
      acknowledge(handler, {
        id: `AwsSolutions-IAM5[Resource::<${frontendStack.getLogicalId(root.frontend.bucket.node.defaultChild as never)}.Arn>/*]`,
        reason: "The BucketDeployment handler writes and prunes the web app's objects in the site bucket.",
      });
    }
    for (const provider of autoDeleteProviders(frontendStack))
      acknowledge(provider, {
        id: "AwsSolutions-L1",
        reason:
          "aws-cdk-lib's auto-delete-objects provider (empties the rebuildable site bucket on stack deletion).",
      });
  }
}
