import {
  AdminInitiateAuthCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteUserPoolCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { ConflictError, NotFoundError, UnauthenticatedError, type UserDirectory } from "@drso/core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  MOTO_CLIENT_CONFIG,
  type MotoServer,
  motoAvailable,
  motoSkipMessage,
  startMoto,
} from "../../../tests/support/moto.js";
import { COGNITO_ROLE_GROUPS, createCognitoUserDirectory } from "./cognito-user-directory.js";
import { createCognitoVerifier, groupsFromClaim, principalFromClaims } from "./cognito-verifier.js";

const moto = motoAvailable();
if (!moto)
  console.warn(
    motoSkipMessage("cognito user directory and verifier (adapters/identity/src/cognito-identity.test.ts)"),
  );

describe("principalFromClaims (API Gateway authorizer claims and JWT payloads)", () => {
  const base = { sub: "3f1c0d7e-1111-2222-3333-444455556666", token_use: "id", email: "ops@example.com" };

  it("reads custom:role first, then the most privileged group, in every shape API Gateway passes groups", () => {
    expect(
      principalFromClaims({ ...base, "custom:role": "DRSOperator", "cognito:groups": ["DRSAdmins"] }),
    ).toEqual({
      sub: base.sub,
      email: "ops@example.com",
      role: "DRSOperator",
      groups: ["DRSAdmins"],
      tokenUse: "id",
    });
    expect(principalFromClaims({ ...base, "cognito:groups": "DRSViewers,DRSAdmins" }).role).toBe("DRSAdmin");
    expect(principalFromClaims({ ...base, "cognito:groups": "[DRSViewers DRSAuditors]" }).groups).toEqual([
      "DRSViewers",
      "DRSAuditors",
    ]);
    expect(principalFromClaims({ ...base, "cognito:groups": "[DRSAuditors DRSOperators]" }).role).toBe(
      "DRSOperator",
    );
    expect(groupsFromClaim("DRSCrossAccount")).toEqual(["DRSCrossAccount"]);
    expect(principalFromClaims({ ...base, "cognito:groups": "DRSCrossAccount" }).role).toBe(
      "DRSCrossAccount",
    );
  });

  it("takes the access token's username when there is no email, and refuses claims without subject, use or role", () => {
    const access = principalFromClaims({
      sub: "abc",
      token_use: "access",
      username: "abc",
      "cognito:groups": ["DRSViewers"],
    });
    expect(access).toMatchObject({ email: "abc", role: "DRSViewer", tokenUse: "access" });
    for (const claims of [
      { ...base, "cognito:groups": ["Everyone"] },
      { ...base, sub: "", "custom:role": "DRSAdmin" },
      { ...base, token_use: "refresh", "custom:role": "DRSAdmin" },
      { ...base, token_use: undefined, "custom:role": "DRSAdmin" },
      { ...base, "custom:role": "root" },
    ]) {
      expect(() => principalFromClaims(claims)).toThrow(UnauthenticatedError);
    }
  });

  it("refuses a region that is not the pool's", () => {
    expect(() =>
      createCognitoVerifier({ userPoolId: "us-east-1_abc", clientId: "x", region: "eu-west-1" }),
    ).toThrow(/not in the configured region/);
  });
});

describe.skipIf(!moto)("Cognito user directory and token verifier against moto_server", () => {
  let server: MotoServer;
  let client: CognitoIdentityProviderClient;
  let userPoolId: string;
  let clientId: string;
  let otherClientId: string;
  let jwks: unknown;
  let directory: UserDirectory;

  beforeAll(async () => {
    server = await startMoto();
    client = new CognitoIdentityProviderClient({ ...MOTO_CLIENT_CONFIG, endpoint: server.endpoint });
  });
  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });

  beforeEach(async () => {
    const pool = await client.send(
      new CreateUserPoolCommand({
        PoolName: "drs-orchestration-test",
        UsernameAttributes: ["email"],
        Schema: [{ Name: "role", AttributeDataType: "String", Mutable: true }],
        Policies: {
          PasswordPolicy: {
            MinimumLength: 8,
            RequireUppercase: true,
            RequireLowercase: true,
            RequireNumbers: true,
            RequireSymbols: false,
          },
        },
      }),
    );
    userPoolId = pool.UserPool!.Id!;
    const flows = {
      ExplicitAuthFlows: ["ALLOW_ADMIN_USER_PASSWORD_AUTH" as const, "ALLOW_REFRESH_TOKEN_AUTH" as const],
    };
    clientId = (
      await client.send(
        new CreateUserPoolClientCommand({ UserPoolId: userPoolId, ClientName: "web", ...flows }),
      )
    ).UserPoolClient!.ClientId!;
    otherClientId = (
      await client.send(
        new CreateUserPoolClientCommand({ UserPoolId: userPoolId, ClientName: "other", ...flows }),
      )
    ).UserPoolClient!.ClientId!;
    for (const group of Object.values(COGNITO_ROLE_GROUPS)) {
      await client.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: group }));
    }
    // moto serves each pool's JWKS where Cognito does, below the endpoint; its tokens name the real
    // Cognito issuer (https://cognito-idp.us-east-1.amazonaws.com/<pool>), so the verifier gets the JWKS pinned.
    jwks = await (await fetch(`${server.endpoint}/${userPoolId}/.well-known/jwks.json`)).json();
    directory = createCognitoUserDirectory({ client, userPoolId, listPageSize: 3 });
  });
  afterEach(async () => {
    vi.useRealTimers();
    await client.send(new DeleteUserPoolCommand({ UserPoolId: userPoolId }));
  });

  const signIn = (email: string, password: string, appClientId = clientId) =>
    client.send(
      new AdminInitiateAuthCommand({
        UserPoolId: userPoolId,
        ClientId: appClientId,
        AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: email, PASSWORD: password },
      }),
    );
  const tokens = async (email: string, password: string, appClientId = clientId) => {
    const out = await signIn(email, password, appClientId);
    expect(out.AuthenticationResult?.IdToken).toBeDefined();
    return { id: out.AuthenticationResult!.IdToken!, access: out.AuthenticationResult!.AccessToken! };
  };
  const verifier = () => createCognitoVerifier({ userPoolId, clientId, region: "us-east-1", jwks });

  it("ensureInitialAdmin creates one DRSAdmin with a temporary password (NEW_PASSWORD_REQUIRED), then does nothing", async () => {
    const first = await directory.ensureInitialAdmin("Admin@Example.com");
    expect(first?.user).toMatchObject({
      email: "admin@example.com",
      role: "DRSAdmin",
      disabled: false,
      locked: false,
    });
    expect(first?.generatedPassword).toMatch(/^[A-Za-z0-9]{20}$/);
    const challenge = await signIn("admin@example.com", first!.generatedPassword!);
    expect(challenge.ChallengeName).toBe("NEW_PASSWORD_REQUIRED");
    expect(await directory.ensureInitialAdmin("other@example.com", "Other1234")).toBeUndefined();
    expect((await directory.list()).map((u) => u.email)).toEqual(["admin@example.com"]);
  });

  it("a user created with a password signs in; its ID and access tokens verify to the same principal", async () => {
    const { user, temporaryPassword } = await directory.create({
      email: "operator@example.com",
      role: "DRSOperator",
      password: "Operator123",
    });
    expect(temporaryPassword).toBeUndefined();
    expect(await directory.get(user.userId)).toEqual(user);
    const { id, access } = await tokens("operator@example.com", "Operator123");
    const fromId = await verifier().verify(id);
    expect(fromId).toEqual({
      sub: user.userId,
      email: "operator@example.com",
      role: "DRSOperator",
      groups: ["DRSOperators"],
      tokenUse: "id",
    });
    // Access tokens carry no custom:role: the role comes from the group.
    const fromAccess = await verifier().verify(access);
    expect(fromAccess).toMatchObject({ sub: user.userId, role: "DRSOperator", tokenUse: "access" });
  });

  it("refuses expired, tampered, foreign-client, other-key and malformed tokens", async () => {
    await directory.create({ email: "viewer@example.com", role: "DRSViewer", password: "Viewer1234" });
    const { id, access } = await tokens("viewer@example.com", "Viewer1234");
    const check = verifier();
    await expect(check.verify(id)).resolves.toMatchObject({ role: "DRSViewer" });

    const [header, payload, signature] = id.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, "custom:role": "DRSAdmin" })).toString(
      "base64url",
    );
    await expect(check.verify(`${header}.${forged}.${signature}`)).rejects.toMatchObject({
      code: "UNAUTHENTICATED",
    });

    const foreign = await tokens("viewer@example.com", "Viewer1234", otherClientId);
    await expect(check.verify(foreign.id)).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(check.verify(foreign.access)).rejects.toBeInstanceOf(UnauthenticatedError);
    // The other client's verifier accepts them: the refusal above is about the client, not the token.
    await expect(
      createCognitoVerifier({ userPoolId, clientId: otherClientId, jwks }).verify(foreign.id),
    ).resolves.toMatchObject({
      role: "DRSViewer",
    });

    const otherKid = Buffer.from(JSON.stringify({ alg: "RS256", kid: "not-moto" })).toString("base64url");
    await expect(check.verify(`${otherKid}.${payload}.${signature}`)).rejects.toBeInstanceOf(
      UnauthenticatedError,
    );
    for (const garbage of ["", "abc", "a.b.c", "x".repeat(20_000)]) {
      await expect(check.verify(garbage)).rejects.toBeInstanceOf(UnauthenticatedError);
    }

    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 2 * 3600_000);
    await expect(check.verify(access)).rejects.toMatchObject({ code: "TOKEN_EXPIRED" });
    await expect(check.verify(id)).rejects.toMatchObject({ code: "TOKEN_EXPIRED" });
  });

  it("creates without a password (temporary one, returned once), refuses a taken e-mail, and pages through list", async () => {
    const created = await directory.create({ email: "new@example.com", role: "DRSAuditor" });
    expect(created.temporaryPassword).toMatch(/^[A-Za-z0-9]{20}$/);
    expect((await signIn("new@example.com", created.temporaryPassword!)).ChallengeName).toBe(
      "NEW_PASSWORD_REQUIRED",
    );
    const error = await directory
      .create({ email: "NEW@example.com", role: "DRSViewer" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).code).toBe("ALREADY_EXISTS");
    for (let i = 0; i < 6; i++) {
      await directory.create({ email: `user${i}@example.com`, role: "DRSViewer", password: "Viewer1234" });
    }
    const listed = await directory.list();
    expect(listed).toHaveLength(7);
    expect(listed.map((u) => u.email)).toEqual([
      "new@example.com",
      ...Array.from({ length: 6 }, (_, i) => `user${i}@example.com`),
    ]);
    expect(listed.find((u) => u.email === "new@example.com")?.role).toBe("DRSAuditor");
  });

  it("update changes role (attribute and group), password and enabled state; unknown users are USER_NOT_FOUND", async () => {
    await directory.create({ email: "admin@example.com", role: "DRSAdmin", password: "Admin12345" });
    const { user } = await directory.create({
      email: "ops@example.com",
      role: "DRSViewer",
      password: "Viewer1234",
    });
    const promoted = await directory.update(user.userId, { role: "DRSOperator" });
    expect(promoted.role).toBe("DRSOperator");
    const access = (await tokens("ops@example.com", "Viewer1234")).access;
    expect((await verifier().verify(access)).groups).toEqual(["DRSOperators"]);

    await directory.update(user.userId, { password: "Changed123" });
    await expect(signIn("ops@example.com", "Viewer1234")).rejects.toMatchObject({
      name: "NotAuthorizedException",
    });
    await tokens("ops@example.com", "Changed123");

    expect((await directory.update(user.userId, { disabled: true })).disabled).toBe(true);
    await expect(signIn("ops@example.com", "Changed123")).rejects.toMatchObject({
      name: "NotAuthorizedException",
    });
    expect((await directory.update(user.userId, { disabled: false })).disabled).toBe(false);
    await tokens("ops@example.com", "Changed123");

    const missing = "00000000-0000-4000-8000-000000000000";
    expect(await directory.get(missing)).toBeUndefined();
    expect(await directory.get('x" or sub ^= "')).toBeUndefined();
    await expect(directory.update(missing, { role: "DRSViewer" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(directory.delete(missing)).rejects.toMatchObject({ code: "USER_NOT_FOUND" });
    await directory.delete(user.userId);
    expect(await directory.get(user.userId)).toBeUndefined();
  });

  it("the last enabled DRSAdmin cannot be demoted, disabled or deleted; with a second admin it can", async () => {
    const { user: admin } = await directory.create({
      email: "a1@example.com",
      role: "DRSAdmin",
      password: "Admin12345",
    });
    for (const change of [
      () => directory.update(admin.userId, { role: "DRSViewer" }),
      () => directory.update(admin.userId, { disabled: true }),
      () => directory.delete(admin.userId),
    ]) {
      await expect(change()).rejects.toMatchObject({ code: "LAST_ADMIN" });
    }
    expect(await directory.get(admin.userId)).toMatchObject({ role: "DRSAdmin", disabled: false });
    const { user: second } = await directory.create({
      email: "a2@example.com",
      role: "DRSAdmin",
      password: "Admin12345",
    });
    expect((await directory.update(admin.userId, { role: "DRSOperator" })).role).toBe("DRSOperator");
    await expect(directory.update(second.userId, { disabled: true })).rejects.toMatchObject({
      code: "LAST_ADMIN",
    });
  });
});
