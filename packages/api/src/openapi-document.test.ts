import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "./openapi-document.js";

describe("OpenAPI document", () => {
  const doc = buildOpenApiDocument();

  it("is committed up to date (run `npm run openapi` after changing routes)", () => {
    const committed = JSON.parse(readFileSync(new URL("../openapi.json", import.meta.url), "utf8"));
    expect(committed).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it("documents every endpoint of the seed catalogue", () => {
    const seed = [
      "get /protection-groups",
      "post /protection-groups",
      "get /protection-groups/{id}",
      "put /protection-groups/{id}",
      "delete /protection-groups/{id}",
      "post /protection-groups/resolve",
      "get /recovery-plans",
      "post /recovery-plans",
      "get /recovery-plans/{id}",
      "put /recovery-plans/{id}",
      "delete /recovery-plans/{id}",
      "post /recovery-plans/{id}/execute",
      "get /recovery-plans/{id}/check-existing-instances",
      "get /executions",
      "post /executions",
      "get /executions/{id}",
      "post /executions/{id}/pause",
      "post /executions/{id}/resume",
      "post /executions/{id}/cancel",
      "post /executions/{id}/terminate-instances",
      "get /executions/{id}/job-logs",
      "get /executions/{id}/termination-status",
      "delete /executions",
      "post /executions/delete",
      "get /drs/source-servers",
      "get /drs/quotas",
      "get /drs/accounts",
      "get /drs/job-logs/{jobId}",
      "get /accounts",
      "post /accounts",
      "get /accounts/{accountId}",
      "put /accounts/{accountId}",
      "delete /accounts/{accountId}",
      "post /accounts/{accountId}/validate",
      "get /ec2/instances",
      "get /ec2/instances/{instanceId}",
      "post /ec2/instances/terminate",
      "get /ec2/launch-templates",
      "get /config/settings",
      "put /config/settings",
      "get /config/regions",
      "get /config/health",
      "get /users/profile",
      "get /health",
    ];
    expect(seed).toHaveLength(44);
    const documented = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
      Object.keys(item ?? {}).map((m) => `${m} ${path}`),
    );
    for (const endpoint of seed) expect(documented, endpoint).toContain(endpoint);
  });

  it("marks every non-public operation with bearer security and an error schema", () => {
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      for (const [method, op] of Object.entries(item ?? {}) as Array<
        [string, { security?: unknown[]; responses: Record<string, unknown> }]
      >) {
        const isPublic = path === "/health" || path.startsWith("/auth/");
        if (isPublic) {
          // Public on purpose, and said so: `security: []` (Redocly's security-defined rule wants it explicit).
          expect(op.security, `${method} ${path}`).toEqual([]);
        } else {
          expect(op.security, `${method} ${path}`).toEqual([{ bearerAuth: [] }]);
          expect(Object.keys(op.responses), `${method} ${path}`).toEqual(
            expect.arrayContaining(["401", "429", "500"]),
          );
        }
      }
    }
  });
});
