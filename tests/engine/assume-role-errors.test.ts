import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { STSClient } from "@aws-sdk/client-sts";
import { assumeRoleCredentials } from "@drso/drs";
import { afterEach, describe, expect, it } from "vitest";
import { createEngineHarness, type EngineHarness } from "../support/engine-harness.js";

const PROD = { accountId: "111122223333", region: "us-east-1" };
const ROLE_ARN = "arn:aws:iam::111122223333:role/DRSOrchestrationRole";

/**
 * A stand-in STS over loopback, called by the real SDK: answers AssumeRole with a short session (so that every
 * DRS call assumes again) whose key addresses the simulator's account, or with the error queued in `failNext`.
 */
async function fakeSts() {
  const state = { calls: 0, failNext: [] as Array<{ status: number; code: string; message: string }> };
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      state.calls++;
      const failure = state.failNext.shift();
      res.setHeader("content-type", "text/xml");
      if (failure) {
        res.statusCode = failure.status;
        res.end(
          `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${failure.code}</Code><Message>${failure.message}</Message></Error><RequestId>r-${state.calls}</RequestId></ErrorResponse>`,
        );
        return;
      }
      const expiration = new Date(Date.now() + 60_000).toISOString();
      res.end(
        `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>AKIASIM${PROD.accountId}</AccessKeyId><SecretAccessKey>drs-sim</SecretAccessKey><SessionToken>token-${state.calls}</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::${PROD.accountId}:assumed-role/DRSOrchestrationRole/drs-orchestrator</Arn><AssumedRoleId>AROA:drs-orchestrator</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r-${state.calls}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new STSClient({
    region: "us-east-1",
    endpoint,
    maxAttempts: 1,
    credentials: { accessKeyId: "AKIAORCHESTRATOR", secretAccessKey: "secret" },
  });
  return {
    state,
    client,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Issue 13 item 3: a throttled (or 5xx) AssumeRole is retried and the batch carries on; an AccessDenied fails
 * with a message that names the role, the account and the ExternalId check.
 */
describe("engine: STS AssumeRole errors over the real SDK", () => {
  let h: EngineHarness | undefined;
  let sts: Awaited<ReturnType<typeof fakeSts>> | undefined;
  afterEach(async () => {
    await h?.close();
    await sts?.close();
    h = undefined;
    sts = undefined;
  });

  async function start(externalId?: string) {
    sts = await fakeSts();
    const provider = assumeRoleCredentials({
      roleArn: ROLE_ARN,
      region: PROD.region,
      stsClient: sts.client,
      ...(externalId ? { externalId } : {}),
    });
    h = await createEngineHarness({ fleet: "demo", credentialsFor: () => provider });
    const db = await h.group({
      name: "billing-db",
      ...PROD,
      serverSelectionTags: { App: "billing", Tier: "db", Environment: "prod" },
    });
    const plan = await h.plan({
      name: "Billing",
      waves: [{ waveId: "db", name: "Database", protectionGroupIds: [db.groupId] }],
    });
    const execution = await h.services.executions.start(
      plan.planId,
      { executionType: "DRILL" },
      "tester@example.com",
    );
    return { h, sts, executionId: execution.executionId };
  }

  for (const failure of [
    { status: 400, code: "Throttling", message: "Rate exceeded" },
    { status: 503, code: "ServiceUnavailable", message: "Service unavailable" },
  ]) {
    it(`a ${failure.code} AssumeRole does not fail the batch: the drill completes`, async () => {
      const run = await start();
      // Every AssumeRole from now on fails four times in a row, whatever call it serves (StartRecovery included).
      run.sts.state.failNext.push(failure, failure, failure, failure);
      const before = run.sts.state.calls;
      await run.h.drive(run.h.terminal(run.executionId));
      const e = await run.h.execution(run.executionId);
      const servers = e.waves.flatMap((w) => w.servers);
      expect(e.status, JSON.stringify(servers.map((s) => [s.hostname, s.status, s.error]))).toBe("COMPLETED");
      expect(run.sts.state.calls - before).toBeGreaterThan(4);
      expect(run.h.sim.control.requests({ op: "StartRecovery", status: 202 })).toHaveLength(1);
    });
  }

  it("an AccessDenied AssumeRole fails the batch with the role, the account and the ExternalId check", async () => {
    const run = await start("drso-external-id-1234");
    for (let i = 0; i < 50; i++)
      run.sts.state.failNext.push({
        status: 403,
        code: "AccessDenied",
        message: `User: arn:aws:sts::999988887777:assumed-role/orchestrator/x is not authorized to perform: sts:AssumeRole on resource: ${ROLE_ARN}`,
      });
    await run.h.drive(run.h.terminal(run.executionId));
    const e = await run.h.execution(run.executionId);
    expect(e.status).toBe("FAILED");
    const errors = e.waves.flatMap((w) => w.servers.map((s) => s.error ?? "")).join("\n");
    expect(errors).toContain(ROLE_ARN);
    expect(errors).toContain("account 111122223333");
    expect(errors).toMatch(/ExternalId/);
    expect(errors).toMatch(/trust policy/);
    // Terminal: no retry storm against STS.
    expect(50 - run.sts.state.failNext.length).toBeLessThanOrEqual(3);
  });
});
