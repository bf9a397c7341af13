import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  MOTO_CLIENT_CONFIG,
  type MotoServer,
  motoAvailable,
  motoSkipMessage,
  startMoto,
} from "../../../tests/support/moto.js";
import { assumeRoleCredentials } from "./sdk-drs-gateway.js";

const moto = motoAvailable();
if (!moto) console.warn(motoSkipMessage("STS AssumeRole (adapters/drs/src/assume-role.test.ts)"));

describe.skipIf(!moto)("assumeRoleCredentials against moto_server's STS", () => {
  let server: MotoServer;
  beforeAll(async () => {
    server = await startMoto();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("calls AssumeRole with the role, session name and ExternalId, returns working credentials and caches them", async () => {
    const requests: string[] = [];
    const sts = new STSClient({ ...MOTO_CLIENT_CONFIG, endpoint: server.endpoint });
    sts.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { body?: unknown };
        if (typeof request.body === "string") requests.push(request.body);
        return next(args);
      },
      { step: "finalizeRequest", name: "recordBody" },
    );
    const roleArn = "arn:aws:iam::444455556666:role/DRSOrchestrationRole";
    const provider = assumeRoleCredentials({
      roleArn,
      externalId: "drso-external-id-1234",
      region: "us-east-1",
      stsClient: sts,
    });
    const credentials = await provider();
    expect(credentials.accessKeyId).toMatch(/^ASIA/);
    expect(credentials.sessionToken).toBeTruthy();
    expect(credentials.expiration?.getTime()).toBeGreaterThan(Date.now() + 30 * 60_000);

    expect(requests).toHaveLength(1);
    const sent = new URLSearchParams(requests[0]);
    expect(sent.get("Action")).toBe("AssumeRole");
    expect(sent.get("RoleArn")).toBe(roleArn);
    expect(sent.get("ExternalId")).toBe("drso-external-id-1234");
    expect(sent.get("RoleSessionName")).toBe("drs-orchestrator");
    expect(sent.get("DurationSeconds")).toBe("3600");

    // moto knows the session: the credentials identify the assumed role in the target account.
    const asRole = new STSClient({ ...MOTO_CLIENT_CONFIG, endpoint: server.endpoint, credentials });
    const identity = await asRole.send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe("arn:aws:sts::444455556666:assumed-role/DRSOrchestrationRole/drs-orchestrator");
    expect(identity.Account).toBe("444455556666");

    expect(await provider()).toEqual(credentials);
    expect(requests).toHaveLength(1);

    const withoutExternalId = assumeRoleCredentials({ roleArn, region: "us-east-1", stsClient: sts });
    await withoutExternalId();
    expect(new URLSearchParams(requests[1]).has("ExternalId")).toBe(false);
    sts.destroy();
    asRole.destroy();
  });
});
