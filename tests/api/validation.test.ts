import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiClient } from "../support/api-client.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const PROD = { accountId: "111122223333", region: "us-east-1" };

/** What "nothing changed" means: every resource a request could have touched. */
async function snapshot(api: ApiClient) {
  const [groups, plans, accounts, settings, users, executions] = await Promise.all([
    api.get("/protection-groups?limit=100"),
    api.get("/recovery-plans?limit=100"),
    api.get("/accounts"),
    api.get("/config/settings"),
    api.get("/users"),
    api.get("/executions?limit=100"),
  ]);
  return JSON.stringify([groups.body, plans.body, accounts.body, settings.body, users.body, executions.body]);
}

describe("conflicts and validation: clear 4xx, stable codes, nothing changed", () => {
  let t: TestServer;
  let api: ApiClient;
  let webGroup: { groupId: string; name: string; version: number };
  let servers: string[];

  beforeAll(async () => {
    t = await startTestServer({ DRSO_ENGINE: "off" });
    api = t.admin;
    const inventory = await api.get<{
      items: Array<{ sourceServerId: string; tags: Record<string, string> }>;
    }>(`/drs/source-servers?region=us-east-1&accountId=${PROD.accountId}&limit=100`);
    servers = inventory.body.items.map((s) => s.sourceServerId);
    const created = await api.post<typeof webGroup>("/protection-groups", {
      name: "Web servers",
      ...PROD,
      sourceServerIds: servers.slice(0, 2),
    });
    expect(created.status).toBe(201);
    webGroup = created.body;
  }, 120_000);
  afterAll(async () => t?.close());

  async function rejected(
    call: () => Promise<{ status: number; body: unknown; headers: Headers }>,
    status: number,
    code: string,
  ) {
    const before = await snapshot(api);
    const response = await call();
    expect(response.status, JSON.stringify(response.body)).toBe(status);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
    expect(response.body).toMatchObject({ status, code });
    expect(await snapshot(api)).toBe(before);
    return response.body as Record<string, unknown>;
  }

  it("refuses a duplicate name, case-insensitively (409)", async () => {
    const body = await rejected(
      () =>
        api.post("/protection-groups", {
          name: "WEB SERVERS",
          ...PROD,
          serverSelectionTags: { Tier: "web" },
        }),
      409,
      "NAME_ALREADY_EXISTS",
    );
    expect(body.detail).toBeTypeOf("string");
  });

  it("refuses a server already in another group, naming that group (409)", async () => {
    const body = await rejected(
      () =>
        api.post("/protection-groups", {
          name: "Overlap",
          ...PROD,
          sourceServerIds: [servers[1], servers[2]],
        }),
      409,
      "SERVER_ALREADY_ASSIGNED",
    );
    expect(body).toMatchObject({
      groupId: webGroup.groupId,
      groupName: "Web servers",
      sourceServerId: servers[1],
    });
    expect(String(body.detail)).toContain("Web servers");
  });

  it("refuses a cyclic plan, naming the cycle (400)", async () => {
    const body = await rejected(
      () =>
        api.post("/recovery-plans", {
          name: "Cyclic",
          waves: [
            { waveId: "a", name: "A", protectionGroupIds: [webGroup.groupId], dependsOn: ["b"] },
            { waveId: "b", name: "B", protectionGroupIds: [webGroup.groupId], dependsOn: ["a"] },
          ],
        }),
      400,
      "PLAN_CYCLE",
    );
    expect(String(body.detail)).toContain("a -> b -> a");
  });

  it("refuses a stale If-Match (412) and a malformed one (400)", async () => {
    const update = {
      name: "Web servers",
      ...PROD,
      sourceServerIds: servers.slice(0, 2),
      description: "changed",
    };
    await rejected(
      () => api.put(`/protection-groups/${webGroup.groupId}`, update, { "if-match": '"v99"' }),
      412,
      "VERSION_MISMATCH",
    );
    await rejected(
      () => api.put(`/protection-groups/${webGroup.groupId}`, update, { "if-match": "garbage" }),
      400,
      "INVALID_IF_MATCH",
    );
    const ok = await api.put<{ version: number }>(`/protection-groups/${webGroup.groupId}`, update, {
      "if-match": `"v${webGroup.version}"`,
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("etag")).toBe(`"v${webGroup.version + 1}"`);
    webGroup.version = ok.body.version;
  });

  it("refuses to delete a protection group a plan uses (409)", async () => {
    const plan = await api.post<{ planId: string }>("/recovery-plans", {
      name: "Uses web",
      waves: [{ name: "w", protectionGroupIds: [webGroup.groupId] }],
    });
    expect(plan.status).toBe(201);
    const body = await rejected(
      () => api.del(`/protection-groups/${webGroup.groupId}`),
      409,
      "RESOURCE_IN_USE",
    );
    expect(String(body.detail)).toContain("Uses web");
  });

  it("answers malformed input with 400 problem+json: bad JSON, wrong types, oversize strings, unknown fields", async () => {
    await rejected(() => api.post("/protection-groups", "{not json"), 400, "MALFORMED_JSON");
    const types = await rejected(
      () => api.post("/protection-groups", { name: 42, accountId: 1, region: ["x"], sourceServerIds: "s-1" }),
      400,
      "VALIDATION_FAILED",
    );
    expect((types.errors as Array<{ path: string }>).map((e) => e.path)).toEqual(
      expect.arrayContaining(["name", "accountId", "region", "sourceServerIds"]),
    );
    await rejected(
      () =>
        api.post("/protection-groups", {
          name: "x".repeat(10_000),
          ...PROD,
          serverSelectionTags: { a: "b" },
        }),
      400,
      "VALIDATION_FAILED",
    );
    const unknown = await rejected(
      () =>
        api.post("/protection-groups", {
          name: "Extra",
          ...PROD,
          serverSelectionTags: { a: "b" },
          isAdmin: true,
        }),
      400,
      "VALIDATION_FAILED",
    );
    expect(JSON.stringify(unknown.errors)).toContain("isAdmin");
    await rejected(() => api.post("/recovery-plans", { name: "p", waves: [] }), 400, "VALIDATION_FAILED");
    await rejected(() => api.get("/executions?limit=1000"), 400, "VALIDATION_FAILED");
    await rejected(() => api.get("/executions?startDate=2026-01-01"), 400, "VALIDATION_FAILED");
    await rejected(() => api.get("/protection-groups/not-a-uuid"), 400, "VALIDATION_FAILED");
    await rejected(() => api.get("/protection-groups?nextToken=forged"), 400, "INVALID_NEXT_TOKEN");
    await rejected(
      () => api.call("POST", "/protection-groups", "x", { "content-type": "text/plain" }),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
    await rejected(
      () =>
        api.post("/protection-groups", {
          name: "big",
          ...PROD,
          serverSelectionTags: { a: "b" },
          description: "x".repeat(2 * 1024 * 1024),
        }),
      413,
      "PAYLOAD_TOO_LARGE",
    );
    await rejected(() => api.get("/no-such-route"), 404, "ROUTE_NOT_FOUND");
  });

  it("requires the plan name to start a RECOVERY and refuses an unknown plan", async () => {
    const plan = await api.post<{ planId: string }>("/recovery-plans", {
      name: "Recovery target",
      waves: [{ name: "w", protectionGroupIds: [webGroup.groupId] }],
    });
    await rejected(
      () => api.post(`/recovery-plans/${plan.body.planId}/execute`, { executionType: "RECOVERY" }),
      400,
      "CONFIRMATION_REQUIRED",
    );
    await rejected(
      () =>
        api.post(`/recovery-plans/${plan.body.planId}/execute`, {
          executionType: "RECOVERY",
          confirm: "recovery target",
        }),
      400,
      "CONFIRMATION_REQUIRED",
    );
    await rejected(
      () =>
        api.post("/recovery-plans/00000000-0000-4000-8000-000000000000/execute", { executionType: "DRILL" }),
      404,
      "RECOVERY_PLAN_NOT_FOUND",
    );
  });

  it("records mutating requests in the audit log, readable by admins and auditors only", async () => {
    const audit = await api.get<{
      items: Array<{ action: string; outcome: string; actor: { email?: string }; requestId?: string }>;
    }>("/audit?action=protection-group.create&limit=100");
    expect(audit.status).toBe(200);
    expect(
      audit.body.items.some((e) => e.outcome === "success" && e.actor.email === "admin@example.com"),
    ).toBe(true);
    expect(audit.body.items.some((e) => e.outcome === "failure")).toBe(true);
    const viewer = await t.as("DRSViewer");
    expect((await viewer.api.get("/audit")).status).toBe(403);
    const auditor = await t.as("DRSAuditor");
    expect((await auditor.api.get("/audit")).status).toBe(200);
  });
});
