import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleLambda, LAMBDA_ENTRIES, type LambdaName } from "./bundling.js";

const names = Object.keys(LAMBDA_ENTRIES) as LambdaName[];
let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "drso-bundles-"));
  for (const name of names) bundleLambda(name, root);
}, 180_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Loads the real bundles in a plain Node process (as Lambda would) and calls the API bundle. */
const SMOKE = `
const dir = process.argv[1];
const out = {};
for (const n of ${JSON.stringify(names)}) out[n] = typeof (await import(dir + "/" + n + "/index.mjs")).handler;
const { handler } = await import(dir + "/api/index.mjs");
const ctx = { functionName: "api", awsRequestId: "r1", invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:api", memoryLimitInMB: "1024", functionVersion: "$LATEST", getRemainingTimeInMillis: () => 10000 };
const event = (path) => ({ httpMethod: "GET", path, resource: path, headers: { Host: "x.execute-api.us-east-1.amazonaws.com" }, multiValueHeaders: {}, queryStringParameters: null, multiValueQueryStringParameters: null, requestContext: { identity: { sourceIp: "203.0.113.1" }, stage: "v1" }, body: null, isBase64Encoded: false });
const health = await handler(event("/api/health"), ctx);
const guarded = await handler(event("/api/protection-groups"), ctx);
out.health = [health.statusCode, JSON.parse(health.body).status];
out.guarded = [guarded.statusCode, JSON.parse(guarded.body).code];
process.stdout.write("RESULT " + JSON.stringify(out) + "\\n");
`;

describe("Lambda bundles (local esbuild, no Docker)", () => {
  it("produces one ESM bundle with a source map per function", () => {
    for (const name of names) {
      expect(statSync(join(root, name, "index.mjs")).size).toBeGreaterThan(100_000);
      expect(statSync(join(root, name, "index.mjs.map")).isFile()).toBe(true);
    }
    // The local store's native SQLite driver is replaced by a stub, never shipped.
    expect(readFileSync(join(root, "api", "index.mjs"), "utf8")).not.toMatch(/better_sqlite3\.node/);
  });

  it("loads in plain Node and serves the API: /api/health 200, a guarded route 401 problem+json", () => {
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", SMOKE, root], {
      env: {
        PATH: process.env.PATH ?? "",
        NODE_NO_WARNINGS: "1",
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "testing",
        AWS_SECRET_ACCESS_KEY: "testing",
        DRSO_ENVIRONMENT: "test",
        DRSO_STATE_MACHINE_ARN:
          "arn:aws:states:us-east-1:123456789012:stateMachine:drs-orchestration-test-state-machine",
        DRSO_USER_POOL_ID: "us-east-1_TestPool1",
        DRSO_USER_POOL_CLIENT_ID: "testclient123",
        POWERTOOLS_LOG_LEVEL: "SILENT",
        POWERTOOLS_METRICS_DISABLED: "true",
      },
      encoding: "utf8",
      timeout: 60_000,
    });
    const line = output.split("\n").find((l) => l.startsWith("RESULT "));
    expect(line, output).toBeDefined();
    expect(JSON.parse(line!.slice(7))).toEqual({
      api: "function",
      step: "function",
      "pause-token": "function",
      sweeper: "function",
      health: [200, "ok"],
      guarded: [401, "UNAUTHENTICATED"],
    });
  });

  it("fails at cold start, naming the variable, when the configuration is wrong", () => {
    let message = "";
    try {
      execFileSync(
        process.execPath,
        ["--input-type=module", "-e", `await import(${JSON.stringify(join(root, "step", "index.mjs"))})`],
        {
          env: {
            PATH: process.env.PATH ?? "",
            NODE_NO_WARNINGS: "1",
            AWS_REGION: "us-east-1",
            DRSO_ENVIRONMENT: "test",
          },
          encoding: "utf8",
          stdio: "pipe",
        },
      );
    } catch (error) {
      message = String((error as { stderr?: string }).stderr);
    }
    expect(message).toMatch(/DRSO_STATE_MACHINE_ARN/);
  });
});
