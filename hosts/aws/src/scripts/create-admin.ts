import { parseArgs } from "node:util";
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { createCognitoUserDirectory } from "@drso/identity";

/**
 * `npm run create-admin -- --email you@example.com [--password '…'] [--stack DrsOrchestrator-prod]
 *  [--region eu-west-1] [--user-pool-id …]`
 *
 * Creates the first DRSAdmin in the deployment's Cognito user pool, when the pool has no user yet (an existing
 * pool is left alone). Without --password, Cognito e-mails a temporary password, which is also printed once.
 * Uses your AWS credentials (profile / environment), not the orchestrator's.
 */
const USAGE =
  "usage: npm run create-admin -- --email <address> [--password <pw>] [--stack DrsOrchestrator-prod] [--region <r>] [--user-pool-id <id>]";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      email: { type: "string" },
      password: { type: "string" },
      stack: { type: "string", default: "DrsOrchestrator-prod" },
      region: { type: "string" },
      "user-pool-id": { type: "string" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help || !values.email) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const region = values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) {
    console.error("Set --region (or AWS_REGION): the region the orchestrator is deployed in.");
    return 2;
  }
  let userPoolId = values["user-pool-id"];
  if (!userPoolId) {
    const cfn = new CloudFormationClient({ region });
    const out = await cfn.send(new DescribeStacksCommand({ StackName: values.stack }));
    userPoolId = out.Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === "UserPoolId")?.OutputValue;
    if (!userPoolId) {
      console.error(`Stack ${values.stack} in ${region} has no UserPoolId output: is it deployed there?`);
      return 1;
    }
  }
  const directory = createCognitoUserDirectory({
    client: new CognitoIdentityProviderClient({ region }),
    userPoolId,
  });
  const created = await directory.ensureInitialAdmin(values.email, values.password);
  if (!created) {
    console.log(
      `User pool ${userPoolId} already has users: nothing created. Ask an administrator, or use the console.`,
    );
    return 0;
  }
  console.log(`Created ${created.user.email} (${created.user.role}) in ${userPoolId}.`);
  if (created.generatedPassword)
    console.log(`Temporary password (shown once; Cognito also e-mailed it): ${created.generatedPassword}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`create-admin failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
