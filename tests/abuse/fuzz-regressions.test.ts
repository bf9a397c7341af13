import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { type RawResponse, rawRequest } from "./raw-http.js";

/** The bugs the API fuzzer found, each pinned by the request that showed it. */
describe("abuse: regressions found by the fuzzer", () => {
  let t: TestServer;
  let port: number;
  let token: string;
  let executionId: string;
  let victimId: string;

  beforeAll(async () => {
    t = await startTestServer({ DRSO_ENGINE: "off" });
    port = Number(new URL(t.baseUrl).port);
    token = (await t.as("DRSAdmin")).token;
    const inventory = await t.admin.get<{ items: Array<{ sourceServerId: string }> }>(
      "/drs/source-servers?region=us-east-1&accountId=111122223333&limit=5",
    );
    const group = await t.admin.post<{ groupId: string }>("/protection-groups", {
      name: "Regression group",
      accountId: "111122223333",
      region: "us-east-1",
      sourceServerIds: [inventory.body.items[0]!.sourceServerId],
    });
    const plan = await t.admin.post<{ planId: string }>("/recovery-plans", {
      name: "Regression plan",
      waves: [{ name: "w", protectionGroupIds: [group.body.groupId] }],
    });
    const started = await t.admin.post<{ executionId: string }>(
      `/recovery-plans/${plan.body.planId}/execute`,
      {
        executionType: "DRILL",
      },
    );
    executionId = started.body.executionId;
    const victim = await t.admin.post<{ user: { userId: string } }>("/users", {
      email: "regression@example.com",
      role: "DRSViewer",
      password: "Regression-Pass-1",
    });
    victimId = victim.body.user.userId;
  }, 120_000);
  afterAll(async () => t?.close());

  function expectProblem(response: RawResponse, status: number, code: string) {
    expect(response.status, response.body).toBe(status);
    expect(response.headers["content-type"]).toContain("application/problem+json");
    expect(response.headers["x-request-id"]).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
    expect(JSON.parse(response.body)).toMatchObject({ status, code });
  }

  const withAuth = () => [["Authorization", `Bearer ${token}`] as [string, string]];

  it("keeps the numeric status in an execution conflict (it was replaced by the execution's status)", async () => {
    const response = await rawRequest(port, {
      method: "POST",
      target: `/api/executions/${executionId}/resume`,
      headers: withAuth(),
    });
    expectProblem(response, 409, "INVALID_STATE");
    expect(JSON.parse(response.body)).toMatchObject({ executionStatus: "PENDING", executionId });
  });

  it("refuses a PUT without the body the document requires (it was read as an empty update)", async () => {
    const before = await t.admin.get(`/users/${victimId}`);
    expect(before.status).toBe(200);
    const response = await rawRequest(port, {
      method: "PUT",
      target: `/api/users/${victimId}`,
      headers: withAuth(),
    });
    expectProblem(response, 400, "VALIDATION_FAILED");
    expect((await t.admin.get(`/users/${victimId}`)).body).toEqual(before.body);
    const settings = await rawRequest(port, {
      method: "PUT",
      target: "/api/config/settings",
      headers: withAuth(),
    });
    expectProblem(settings, 400, "VALIDATION_FAILED");
  });

  it("refuses an If-Match with an unbalanced quote (it was taken for that version)", async () => {
    const response = await rawRequest(port, {
      method: "PUT",
      target: "/api/config/settings",
      headers: [...withAuth(), ["Content-Type", "application/json"], ["If-Match", '"v1']],
      body: JSON.stringify({ drillTtlHours: 5 }),
    });
    expectProblem(response, 400, "INVALID_IF_MATCH");
  });

  it("answers requests the HTTP parser refuses in problem+json with a request ID (they were bare 400/431)", async () => {
    expectProblem(
      await rawRequest(port, {
        method: "GET",
        target: "/api/users/profile",
        headers: [...withAuth(), ["X-Fuzz", "x".repeat(64 * 1024)]],
      }),
      431,
      "HEADERS_TOO_LARGE",
    );
    expectProblem(
      await rawRequest(port, {
        method: "GET",
        target: "/api/users/profile",
        headers: [...withAuth(), ["X-Fuzz", "a\nLocation: elsewhere"]],
      }),
      400,
      "MALFORMED_REQUEST",
    );
    expectProblem(
      await rawRequest(port, { method: "GET", target: "/api/executions/\u00ff/events", headers: withAuth() }),
      400,
      "MALFORMED_REQUEST",
    );
  });

  it("answers a path the adapter cannot turn into a URL in problem+json (it was an empty 400)", async () => {
    expectProblem(
      await rawRequest(port, {
        method: "GET",
        target: "/api/executions/..\\..\\win.ini/events",
        headers: withAuth(),
      }),
      400,
      "MALFORMED_REQUEST",
    );
  });

  it("gives a request ID to 404s outside the API too", async () => {
    const response = await rawRequest(port, {
      method: "POST",
      target: "/api/executions/../../etc/passwd/approve",
      headers: [...withAuth(), ["Content-Type", "application/json"]],
      body: "{}",
    });
    expectProblem(response, 404, "ROUTE_NOT_FOUND");
  });
  it('refuses a "__proto__" key in a body (zod records dropped it without a word)', async () => {
    const body = JSON.stringify({
      accountId: "111122223333",
      region: "us-east-1",
      serverSelectionTags: { App: "billing" },
    }).replace('"App"', '"__proto__":true,"App"');
    const response = await rawRequest(port, {
      method: "POST",
      target: "/api/protection-groups/resolve",
      headers: [...withAuth(), ["Content-Type", "application/json"]],
      body: Buffer.from(body),
    });
    expectProblem(response, 400, "VALIDATION_FAILED");
    // The same selection without it still resolves; a string value that mentions the key is no key.
    const fine = await rawRequest(port, {
      method: "POST",
      target: "/api/protection-groups/resolve",
      headers: [...withAuth(), ["Content-Type", "application/json"]],
      body: Buffer.from(
        JSON.stringify({
          accountId: "111122223333",
          region: "us-east-1",
          serverSelectionTags: { App: '"__proto__":' },
        }),
      ),
    });
    expect(fine.status, fine.body).toBe(200);
  });
});
