import { SSMClient } from "@aws-sdk/client-ssm";
import { createSsmActionRunner } from "@drso/actions";
import type { ActionContext, WaveAction } from "@drso/core";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  MOTO_ACCOUNT_ID,
  MOTO_CLIENT_CONFIG,
  MOTO_REGION,
  type MotoServer,
  motoAvailable,
  motoSkipMessage,
  startMoto,
} from "../../../../tests/support/moto.js";
import { crossAccountTemplate } from "./cross-account-template.js";

/**
 * The SSM adapter's run-command path against moto_server with IAM enforcement on
 * (INITIAL_NO_AUTH_ACTION_COUNT: the set-up requests are free, everything after is authorized against the IAM
 * users' policies), as a user holding the synthesized cross-account policy. moto evaluates actions, but compares
 * a statement's Resource with "*" only (so resource-scoped statements never match there) and does not model
 * aws:CalledVia: what it can check are the actions on "*", here the SSM status reads.
 */
const moto = motoAvailable();
if (!moto) console.warn(motoSkipMessage("IAM enforcement of the synthesized policies (iam-moto.test.ts)"));

type Json = unknown;
/** Resolves the few intrinsics the policy uses, for the moto account. */
function resolve(value: Json): Json {
  if (Array.isArray(value)) return value.map(resolve);
  if (value === null || typeof value !== "object") return value;
  const o = value as Record<string, Json>;
  if (o.Ref === "AWS::AccountId") return MOTO_ACCOUNT_ID;
  if (o.Ref === "AWS::Partition") return "aws";
  if (o.Ref === "AWS::Region") return MOTO_REGION;
  if (Array.isArray(o["Fn::Join"])) {
    const [sep, parts] = o["Fn::Join"] as [string, Json[]];
    return parts.map((p) => resolve(p) as string).join(sep);
  }
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, resolve(v)]));
}

type Statement = { Sid?: string; Action: string | string[] };
function crossAccountPolicy(): { Version: string; Statement: Statement[] } {
  const t = crossAccountTemplate() as {
    Resources: Record<string, { Type: string; Properties: Record<string, Json> }>;
  };
  const policy = Object.values(t.Resources).find((r) => r.Type === "AWS::IAM::Policy")!;
  return resolve(policy.Properties.PolicyDocument) as { Version: string; Statement: Statement[] };
}

const EXECUTION = "7d3c2b1a-0f9e-4d8c-b7a6-958473625141";
const command: WaveAction = {
  type: "ssm-command",
  documentName: "AWS-RunShellScript",
  parameters: { commands: ["systemctl is-active nginx"] },
};
const context = (executionId: string): ActionContext => ({
  executionId,
  waveId: "wave-1",
  actionId: "wave-1/post/0",
  executionType: "DRILL",
  targets: [{ accountId: MOTO_ACCOUNT_ID, region: MOTO_REGION }],
  instances: { [`${MOTO_ACCOUNT_ID}/${MOTO_REGION}`]: ["i-0123456789abcdef0", "i-0123456789abcdef1"] },
});

describe.skipIf(!moto)("synthesized policies under moto's IAM enforcement", () => {
  let server: MotoServer;
  const clients: SSMClient[] = [];
  /** IAM query API, signed (moto routes by the signature's service). */
  async function iam(params: Record<string, string>): Promise<string> {
    const url = new URL(server.endpoint);
    const body = new URLSearchParams({ ...params, Version: "2010-05-08" }).toString();
    const signer = new SignatureV4({
      service: "iam",
      region: MOTO_REGION,
      sha256: Hash.bind(null, "sha256"),
      credentials: MOTO_CLIENT_CONFIG.credentials,
    });
    const request = await signer.sign(
      new HttpRequest({
        method: "POST",
        protocol: "http:",
        hostname: url.hostname,
        port: Number(url.port),
        path: "/",
        headers: { host: url.host, "content-type": "application/x-www-form-urlencoded" },
        body,
      }),
    );
    const response = await fetch(`${server.endpoint}/`, {
      method: "POST",
      headers: request.headers as Record<string, string>,
      body,
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`IAM ${params.Action}: HTTP ${response.status} ${text.slice(0, 200)}`);
    return text;
  }
  /** A user holding `policy`; an SSM client with its keys. */
  async function userWith(name: string, policy: Json): Promise<SSMClient> {
    await iam({ Action: "CreateUser", UserName: name });
    await iam({
      Action: "PutUserPolicy",
      UserName: name,
      PolicyName: "p",
      PolicyDocument: JSON.stringify(policy),
    });
    const key = await iam({ Action: "CreateAccessKey", UserName: name });
    const accessKeyId = /<AccessKeyId>([^<]+)/.exec(key)?.[1];
    const secretAccessKey = /<SecretAccessKey>([^<]+)/.exec(key)?.[1];
    if (!accessKeyId || !secretAccessKey) throw new Error("no access key");
    const client = new SSMClient({
      ...MOTO_CLIENT_CONFIG,
      endpoint: server.endpoint,
      credentials: { accessKeyId, secretAccessKey },
      maxAttempts: 1,
    });
    clients.push(client);
    return client;
  }

  let current: SSMClient;
  let previous: SSMClient;
  let sentHandle: string;
  beforeAll(async () => {
    // Eight unauthenticated set-up requests: two users × (CreateUser, PutUserPolicy, CreateAccessKey), then the
    // runner's first start (ListCommands, SendCommand). moto compares a statement's Resource with "*" only, so
    // the resource-scoped SendCommand statement cannot be evaluated there: the command is sent in the set-up.
    server = await startMoto({ env: { INITIAL_NO_AUTH_ACTION_COUNT: "8" } });
    const policy = crossAccountPolicy();
    current = await userWith("current", policy);
    // The policy as it was before issue 15: the SSM read statement without ssm:ListCommands.
    const before = structuredClone(policy);
    for (const st of before.Statement)
      st.Action = (Array.isArray(st.Action) ? st.Action : [st.Action]).filter(
        (a) => a !== "ssm:ListCommands",
      );
    previous = await userWith("previous", before);
    const setup = new SSMClient({ ...MOTO_CLIENT_CONFIG, endpoint: server.endpoint });
    clients.push(setup);
    const first = await createSsmActionRunner({ clientFor: () => setup }).start(command, context(EXECUTION));
    if (first.status !== "RUNNING" || !first.handle)
      throw new Error(`set-up start: ${JSON.stringify(first)}`);
    sentHandle = first.handle;
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await server?.stop();
  });

  it("polls an ssm-command wave action and finds a command already sent (ListCommands, GetCommandInvocation) with the cross-account policy", async () => {
    const ctx = context(EXECUTION);
    const runner = createSsmActionRunner({ clientFor: () => current, pollIntervalMs: 1000 });
    // A retried start finds the command sent in the set-up by its comment: RUNNING, nothing sent again.
    const started = await runner.start(command, ctx);
    expect(started).toMatchObject({ status: "RUNNING" });
    expect(JSON.parse((started as { handle: string }).handle)).toEqual(JSON.parse(sentHandle));
    expect(await runner.poll(command, ctx, sentHandle)).toMatchObject({ status: "SUCCEEDED" });
  });

  it("is denied without ssm:ListCommands (the policy before the fix): the action cannot even start", async () => {
    const runner = createSsmActionRunner({ clientFor: () => previous, pollIntervalMs: 1000 });
    const outcome = await runner
      .start(command, context(EXECUTION))
      .then((p) => p.status)
      .catch((error: unknown) => `threw ${(error as Error).name}`);
    console.log(`without ssm:ListCommands: ${outcome}`);
    expect(outcome).not.toBe("RUNNING");
  });
});
