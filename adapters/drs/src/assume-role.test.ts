import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  MOTO_CLIENT_CONFIG,
  type MotoServer,
  motoAvailable,
  motoSkipMessage,
  startMoto,
} from "../../../tests/support/moto.js";
import { assumeRoleCredentials, stsRegionFor } from "./sdk-drs-gateway.js";

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

describe("assumeRoleCredentials: one session, a regional endpoint that works, clear errors", () => {
  const roleArn = "arn:aws:iam::444455556666:role/DRSOrchestrationRole";
  /** A stand-in STS client: counts AssumeRole calls, answers after a tick (so that calls overlap). */
  function fakeSts(answer: () => Promise<unknown>) {
    const calls: unknown[] = [];
    const client = {
      send: async (command: { input: unknown }) => {
        calls.push(command.input);
        await new Promise((r) => setTimeout(r, 5));
        return answer();
      },
    } as unknown as STSClient;
    return { client, calls };
  }
  const session = async () => ({
    Credentials: {
      AccessKeyId: "ASIAEXAMPLE",
      SecretAccessKey: "secret",
      SessionToken: "token",
      Expiration: new Date(Date.now() + 3_600_000),
    },
  });

  it("shares one AssumeRole between concurrent first calls (a cold start stepping many servers at once)", async () => {
    const sts = fakeSts(session);
    const provider = assumeRoleCredentials({ roleArn, region: "us-east-1", stsClient: sts.client });
    const all = await Promise.all(Array.from({ length: 20 }, () => provider()));
    expect(sts.calls).toHaveLength(1);
    expect(new Set(all.map((c) => c.accessKeyId))).toEqual(new Set(["ASIAEXAMPLE"]));
  });

  it("calls STS in the orchestrator's own region, not the (possibly opt-in) recovery region", () => {
    expect(stsRegionFor("me-central-1", { AWS_REGION: "us-east-1" })).toBe("us-east-1");
    expect(stsRegionFor("eu-west-1", {})).toBe("eu-west-1");
  });

  it("says what to do when STS is not activated in the endpoint's region", async () => {
    const sts = fakeSts(async () => {
      throw Object.assign(new Error("STS is not activated in this region for account:123456789012."), {
        name: "RegionDisabledException",
      });
    });
    const provider = assumeRoleCredentials({
      roleArn,
      region: "ap-east-1",
      stsClient: sts.client,
      stsRegion: "ap-east-1",
    });
    await expect(provider()).rejects.toThrow(/STS is not activated in ap-east-1.*IAM account settings/);
    // A failed attempt is not cached: the next call tries again.
    await expect(provider()).rejects.toThrow();
    expect(sts.calls).toHaveLength(2);
  });

  it("classifies STS errors: throttling, 5xx and the network are retryable, AccessDenied is terminal and explained", async () => {
    const cases: Array<[unknown, { kind: string; retryable: boolean }]> = [
      [
        Object.assign(new Error("Rate exceeded"), { name: "Throttling", $metadata: { httpStatusCode: 400 } }),
        { kind: "throttled", retryable: true },
      ],
      [
        Object.assign(new Error("oops"), { name: "InternalFailure", $metadata: { httpStatusCode: 500 } }),
        { kind: "unavailable", retryable: true },
      ],
      [
        Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
        { kind: "unavailable", retryable: true },
      ],
      [
        Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
        { kind: "unavailable", retryable: true },
      ],
      [
        Object.assign(new Error("not authorized"), {
          name: "AccessDenied",
          $metadata: { httpStatusCode: 403 },
        }),
        { kind: "access-denied", retryable: false },
      ],
      [
        Object.assign(new Error("bad"), {
          name: "MalformedPolicyDocument",
          $metadata: { httpStatusCode: 400 },
        }),
        { kind: "validation", retryable: false },
      ],
    ];
    for (const [error, expected] of cases) {
      const sts = fakeSts(async () => {
        throw error;
      });
      const provider = assumeRoleCredentials({ roleArn, region: "us-east-1", stsClient: sts.client });
      const thrown = await provider().catch((e: unknown) => e);
      expect(thrown, String(error)).toMatchObject({ ...expected, ambiguous: false, operation: "AssumeRole" });
      expect(String((thrown as Error).message)).toContain(roleArn);
    }
  });
});
