import { createRng, ManualClock } from "@drso/clock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "./simulator.js";

/** Bad input gets the documented 400s; nothing a client sends produces a 5xx or stops the server. */

let sim: RunningSimulator;
let serverId: string;

beforeAll(async () => {
  sim = await startSimulator({ clock: new ManualClock() });
  [serverId] = sim.control.seedSourceServers({ region: "us-east-1", servers: [{ hostname: "m" }] })
    .sourceServerIDs as [string];
});
afterAll(async () => {
  await sim?.close();
});

async function send(
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${sim.url}${path}`, {
    method,
    ...(body !== undefined ? { body } : {}),
    headers: { "content-type": "application/json", ...headers },
  });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, type: response.headers.get("x-amzn-errortype"), json };
}

describe("malformed requests", () => {
  it("bad JSON and non-object bodies → 400 cannotParse", async () => {
    for (const body of ["{not json", "[]", '"text"', "42", "null"]) {
      const r = await send("POST", "/StartRecovery", body);
      expect([body, r.status, r.type, r.json?.reason]).toEqual([
        body,
        400,
        "ValidationException",
        "cannotParse",
      ]);
    }
  });

  it("wrong types → 400 fieldValidationFailed naming the field", async () => {
    const cases: [string, unknown, string][] = [
      ["/StartRecovery", { sourceServers: "abc" }, "sourceServers"],
      ["/StartRecovery", { sourceServers: [{ sourceServerID: 5 }] }, "sourceServers.0.sourceServerID"],
      ["/StartRecovery", { sourceServers: [{ sourceServerID: serverId }], isDrill: "yes" }, "isDrill"],
      ["/StartRecovery", { sourceServers: [{ sourceServerID: serverId }], tags: { k: 1 } }, "tags.k"],
      ["/StartRecovery", {}, "sourceServers"],
      ["/DescribeSourceServers", { maxResults: "10" }, "maxResults"],
      ["/DescribeSourceServers", { maxResults: 0 }, "maxResults"],
      ["/DescribeSourceServers", { maxResults: 1.5 }, "maxResults"],
      ["/DescribeSourceServers", { filters: [] }, "filters"],
      ["/DescribeJobs", { filters: { fromDate: "yesterday" } }, "filters.fromDate"],
      ["/DescribeRecoverySnapshots", { sourceServerID: serverId, order: "UP" }, "order"],
      ["/GetLaunchConfiguration", { sourceServerID: "s-123" }, "sourceServerID"],
      [
        "/UpdateLaunchConfiguration",
        { sourceServerID: serverId, launchDisposition: "RUNNING" },
        "launchDisposition",
      ],
      [
        "/UpdateFailbackReplicationConfiguration",
        { recoveryInstanceID: "i-0123456789abcdef0", bandwidthThrottling: -1 },
        "bandwidthThrottling",
      ],
      ["/DeleteJob", { jobID: "drsjob-short" }, "jobID"],
      ["/TerminateRecoveryInstances", { recoveryInstanceIDs: [] }, "recoveryInstanceIDs"],
    ];
    for (const [path, body, field] of cases) {
      const r = await send("POST", path, JSON.stringify(body));
      const names = (r.json?.fieldList as { name: string }[] | undefined)?.map((f) => f.name);
      expect([path, r.status, r.type, r.json?.reason, names?.includes(field)]).toEqual([
        path,
        400,
        "ValidationException",
        "fieldValidationFailed",
        true,
      ]);
    }
  });

  it("unknown operations and wrong methods → 400 unknownOperation", async () => {
    for (const [method, path] of [
      ["POST", "/Nope"],
      ["GET", "/StartRecovery"],
      ["POST", "/"],
      ["PUT", "/tags/arn%3Aaws%3Adrs%3Aus-east-1%3A123456789012%3Ajob%2Fdrsjob-00000000000000000"],
      ["POST", "/tags/"],
      ["POST", "/StartRecovery/extra"],
      ["DELETE", "/DescribeJobs"],
    ] as const) {
      const r = await send(method, path, method === "GET" ? undefined : "{}");
      expect([method, path, r.status, r.type, r.json?.reason]).toEqual([
        method,
        path,
        400,
        "ValidationException",
        "unknownOperation",
      ]);
    }
  });

  it("oversize lists → 400", async () => {
    const ids = (n: number, prefix: string, width: number) =>
      Array.from({ length: n }, (_, i) => `${prefix}${i.toString(16).padStart(width, "0")}`);
    const cases: [string, unknown][] = [
      ["/StartRecovery", { sourceServers: ids(201, "s-", 17).map((sourceServerID) => ({ sourceServerID })) }],
      ["/DescribeJobs", { filters: { jobIDs: ids(1001, "drsjob-", 17) } }],
      ["/TerminateRecoveryInstances", { recoveryInstanceIDs: ids(201, "i-", 17) }],
      ["/StartFailbackLaunch", { recoveryInstanceIDs: ids(201, "i-", 17) }],
      ["/DescribeSourceServers", { filters: { sourceServerIDs: ids(201, "s-", 17) } }],
      ["/DescribeRecoveryInstances", { filters: { recoveryInstanceIDs: ids(201, "i-", 17) } }],
    ];
    for (const [path, body] of cases) {
      const r = await send("POST", path, JSON.stringify(body));
      expect([path, r.status, r.json?.reason]).toEqual([path, 400, "fieldValidationFailed"]);
    }
  });

  it("a body over the size limit → 400, and the server keeps serving", async () => {
    const huge = `{"sourceServers":[],"pad":"${"x".repeat(6 * 1024 * 1024)}"}`;
    const r = await send("POST", "/StartRecovery", huge);
    expect(r.status).toBe(400);
    expect(r.type).toBe("ValidationException");
    expect((await send("POST", "/DescribeJobs", "{}")).status).toBe(200);
  });

  it("invalid pagination tokens and bad ARN encodings → 400", async () => {
    const token = await send("POST", "/DescribeSourceServers", JSON.stringify({ nextToken: "garbage!" }));
    expect([token.status, token.json?.reason]).toEqual([400, "other"]);
    const arn = await send("GET", "/tags/%E0%A4%A");
    expect([arn.status, arn.type]).toEqual([400, "ValidationException"]);
    const short = await send("GET", "/tags/arn%3Ax");
    expect(short.status).toBe(400);
  });

  it("a token from different filters is refused", async () => {
    sim.control.seedSourceServers({ region: "us-east-1", servers: [{ hostname: "m2" }, { hostname: "m3" }] });
    const first = await send("POST", "/DescribeSourceServers", JSON.stringify({ maxResults: 1 }));
    const nextToken = first.json?.nextToken as string;
    expect(nextToken).toBeTruthy();
    const other = await send(
      "POST",
      "/DescribeSourceServers",
      JSON.stringify({ maxResults: 1, nextToken, filters: { hardwareId: "x" } }),
    );
    expect([other.status, other.json?.reason]).toEqual([400, "other"]);
  });

  it("out-of-scope operations answer 501 'not simulated'; in-scope ones never do", async () => {
    const r = await send("POST", "/ListLaunchActions", "{}");
    expect([r.status, r.type]).toEqual([501, "InternalServerException"]);
    expect(r.json?.message).toBe("ListLaunchActions is not simulated");
  });

  it("random garbage never produces a 5xx", async () => {
    const rng = createRng(2024);
    const paths = [
      "/StartRecovery",
      "/DescribeSourceServers",
      "/DescribeJobs",
      "/TerminateRecoveryInstances",
      "/tags/x",
      "/DeleteJob",
      "/UpdateLaunchConfiguration",
      "/StartFailbackLaunch",
      "/ReverseReplication",
      "/InitializeService",
    ];
    const values: unknown[] = [
      null,
      true,
      0,
      -1,
      1e308,
      "",
      "s-",
      "x".repeat(300),
      [],
      {},
      [null],
      { a: { b: { c: [] } } },
      serverId,
    ];
    const pick = <T>(items: T[]): T => items[rng.int(0, items.length - 1)] as T;
    const fields = [
      "sourceServers",
      "sourceServerID",
      "filters",
      "maxResults",
      "nextToken",
      "tags",
      "recoveryInstanceIDs",
      "jobID",
      "isDrill",
      "__proto__",
      "constructor",
    ];
    for (let i = 0; i < 300; i++) {
      const body: Record<string, unknown> = {};
      for (let j = rng.int(0, 4); j > 0; j--) body[pick(fields)] = pick(values);
      const method = pick(["POST", "POST", "POST", "GET", "DELETE"]);
      const raw = rng.next() < 0.1 ? `{"${"[".repeat(rng.int(1, 50))}` : JSON.stringify(body);
      const r = await send(
        method,
        pick(paths),
        method === "GET" ? undefined : raw,
        rng.next() < 0.3 ? { authorization: "garbage" } : {},
      );
      expect(r.status).toBeLessThan(500);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(sim.control.requests({ status: 500 })).toEqual([]);
  });

  it("deeply nested JSON is rejected, not a crash", async () => {
    const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
    const r = await send("POST", "/StartRecovery", `{"sourceServers":${deep}}`);
    expect(r.status).toBe(400);
  });
});

describe("unknown members", () => {
  it("are ignored, however deep", async () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    for (const path of ["/DescribeSourceServers", "/DescribeJobs", "/DescribeRecoveryInstances"]) {
      const r = await send("POST", path, `{"filters":{"junk":${deep}},"extra":${deep}}`);
      expect([path, r.status]).toEqual([path, 200]);
    }
    const r = await send(
      "POST",
      "/DescribeRecoverySnapshots",
      `{"sourceServerID":"${serverId}","filters":{"junk":${deep}}}`,
    );
    expect(r.status).toBe(200);
  });
});
