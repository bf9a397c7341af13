import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  MOTO_CLIENT_CONFIG,
  type MotoServer,
  motoAvailable,
  motoSkipMessage,
  startMoto,
} from "../../../../tests/support/moto.js";
import { PACKAGE_ROOT } from "../cdk/bundling.js";

const run = promisify(execFile);
const moto = motoAvailable();
if (!moto) console.warn(motoSkipMessage("create-admin script (create-admin.test.ts)"));

describe.skipIf(!moto)("npm run create-admin (against moto's Cognito)", () => {
  let server: MotoServer;
  let userPoolId: string;
  let cognito: CognitoIdentityProviderClient;
  beforeAll(async () => {
    server = await startMoto();
    cognito = new CognitoIdentityProviderClient({ ...MOTO_CLIENT_CONFIG, endpoint: server.endpoint });
    const pool = await cognito.send(
      new CreateUserPoolCommand({
        PoolName: "drs-orchestration-users-test",
        UsernameAttributes: ["email"],
        Schema: [{ Name: "role", AttributeDataType: "String", Mutable: true }],
      }),
    );
    userPoolId = pool.UserPool!.Id!;
    for (const group of ["DRSAdmins", "DRSOperators", "DRSViewers", "DRSAuditors", "DRSCrossAccount"])
      await cognito.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: group }));
  }, 60_000);
  afterAll(async () => server?.stop());

  const createAdmin = (...args: string[]) =>
    run(process.execPath, ["--import", "tsx", join(PACKAGE_ROOT, "src/scripts/create-admin.ts"), ...args], {
      cwd: PACKAGE_ROOT,
      env: {
        PATH: process.env.PATH ?? "",
        NODE_NO_WARNINGS: "1",
        AWS_ENDPOINT_URL: server.endpoint,
        AWS_ACCESS_KEY_ID: "testing",
        AWS_SECRET_ACCESS_KEY: "testing",
      },
      timeout: 60_000,
    });

  it("creates the first DRSAdmin once, and leaves a pool with users alone", async () => {
    const first = await createAdmin(
      "--email",
      "Admin@Example.com",
      "--user-pool-id",
      userPoolId,
      "--region",
      "us-east-1",
    );
    expect(first.stdout).toMatch(/Created admin@example\.com \(DRSAdmin\)/);
    expect(first.stdout).toMatch(/Temporary password \(shown once/);
    const user = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: userPoolId, Username: "admin@example.com" }),
    );
    expect(user.UserAttributes).toEqual(expect.arrayContaining([{ Name: "custom:role", Value: "DRSAdmin" }]));

    const again = await createAdmin(
      "--email",
      "other@example.com",
      "--user-pool-id",
      userPoolId,
      "--region",
      "us-east-1",
    );
    expect(again.stdout).toMatch(/already has users: nothing created/);
  }, 120_000);

  it("explains its usage when the e-mail is missing", async () => {
    await expect(createAdmin("--region", "us-east-1")).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/usage: npm run create-admin/),
    });
  }, 60_000);
});
