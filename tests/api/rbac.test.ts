import { ROLES, type Role } from "@drso/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient } from "../support/api-client.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

/**
 * Every route × every role, against the seed's permission table (written out here independently of the
 * API's own route table, so a wrong mapping in the code fails this test).
 */
const SEED: Array<[string, string, string]> = [
  ["GET", "/protection-groups", "drs:ViewResources"],
  ["POST", "/protection-groups", "drs:CreateProtectionGroup"],
  ["GET", "/protection-groups/{id}", "drs:ViewResources"],
  ["PUT", "/protection-groups/{id}", "drs:UpdateProtectionGroup"],
  ["DELETE", "/protection-groups/{id}", "drs:DeleteProtectionGroup"],
  ["POST", "/protection-groups/resolve", "drs:ViewResources"],
  ["GET", "/recovery-plans", "drs:ViewResources"],
  ["POST", "/recovery-plans", "drs:CreateRecoveryPlan"],
  ["GET", "/recovery-plans/{id}", "drs:ViewResources"],
  ["PUT", "/recovery-plans/{id}", "drs:UpdateRecoveryPlan"],
  ["DELETE", "/recovery-plans/{id}", "drs:DeleteRecoveryPlan"],
  ["POST", "/recovery-plans/{id}/execute", "drs:ExecuteRecovery"],
  ["GET", "/recovery-plans/{id}/check-existing-instances", "drs:ViewResources"],
  ["GET", "/executions", "drs:ViewResources"],
  ["POST", "/executions", "drs:ExecuteRecovery"],
  ["GET", "/executions/{id}", "drs:ViewResources"],
  ["POST", "/executions/{id}/pause", "drs:ManageExecution"],
  ["POST", "/executions/{id}/resume", "drs:ManageExecution"],
  ["POST", "/executions/{id}/cancel", "drs:ManageExecution"],
  ["POST", "/executions/{id}/simulate-failback-client", "drs:ManageExecution"],
  ["POST", "/executions/{id}/terminate-instances", "drs:TerminateInstances"],
  ["GET", "/executions/{id}/job-logs", "drs:ViewResources"],
  ["GET", "/executions/{id}/termination-status", "drs:ViewResources"],
  ["DELETE", "/executions", "drs:ManageExecution"],
  ["POST", "/executions/delete", "drs:ManageExecution"],
  ["GET", "/drs/source-servers", "drs:ViewResources"],
  ["GET", "/drs/quotas", "drs:ViewResources"],
  ["GET", "/drs/accounts", "drs:ViewResources"],
  ["GET", "/drs/job-logs/{jobId}", "drs:ViewResources"],
  ["GET", "/accounts", "drs:ManageAccounts"],
  ["POST", "/accounts", "drs:ManageAccounts"],
  ["GET", "/accounts/{accountId}", "drs:ManageAccounts"],
  ["PUT", "/accounts/{accountId}", "drs:ManageAccounts"],
  ["DELETE", "/accounts/{accountId}", "drs:ManageAccounts"],
  ["POST", "/accounts/{accountId}/validate", "drs:ManageAccounts"],
  ["GET", "/ec2/instances", "drs:ViewResources"],
  ["GET", "/ec2/instances/{instanceId}", "drs:ViewResources"],
  ["POST", "/ec2/instances/terminate", "drs:TerminateInstances"],
  ["GET", "/ec2/launch-templates", "drs:ViewResources"],
  ["GET", "/config/settings", "drs:ViewResources"],
  ["PUT", "/config/settings", "drs:ManageAccounts"],
  ["GET", "/config/regions", "drs:ViewResources"],
  ["GET", "/config/health", "drs:ViewResources"],
  ["GET", "/users/profile", "drs:ViewResources"],
  ["GET", "/health", "public"],
];

/** Routes beyond the seed and the rule we chose for them (docs/decisions/002-role-permission-matrix.md). */
const EXTRA: Array<[string, string, string]> = [
  ["POST", "/recovery-plans/validate", "drs:ViewResources"],
  ["GET", "/recovery-plans/{id}/readiness", "drs:ViewResources"],
  ["POST", "/recovery-plans/{id}/readiness", "drs:ViewResources"],
  ["GET", "/recovery-plans/{id}/readiness/history", "drs:ViewResources"],
  ["POST", "/executions/{id}/approve", "drs:ManageExecution"],
  ["POST", "/executions/{id}/reject", "drs:ManageExecution"],
  ["POST", "/executions/{id}/waves/{waveId}/retry", "drs:ManageExecution"],
  ["POST", "/executions/{id}/waves/{waveId}/skip", "drs:ManageExecution"],
  ["POST", "/executions/{id}/waves/{waveId}/abort", "drs:ManageExecution"],
  ["GET", "/recovery-plans/{id}/point-in-time", "drs:ViewResources"],
  ["GET", "/recovery-plans/{id}/schedule", "drs:ViewResources"],
  ["POST", "/executions/{id}/force-end", "admin:ForceEndExecution"],
  ["GET", "/executions/{id}/events", "drs:ViewResources"],
  ["GET", "/executions/{id}/events/stream", "drs:ViewResources"],
  ["GET", "/executions/{id}/report", "drs:ViewResources"],
  ["GET", "/users", "admin:ManageUsers"],
  ["POST", "/users", "admin:ManageUsers"],
  ["GET", "/users/{id}", "admin:ManageUsers"],
  ["PUT", "/users/{id}", "admin:ManageUsers"],
  ["DELETE", "/users/{id}", "admin:ManageUsers"],
  ["GET", "/audit", "audit:ReadAuditLog"],
  ["POST", "/auth/login", "public"],
  ["POST", "/auth/refresh", "public"],
  ["POST", "/auth/logout", "public"],
  ["GET", "/auth/jwks", "public"],
];

/** Who holds what, as the product documents it (seed roles; matrix decided in docs/decisions). */
const HOLDERS: Record<string, readonly Role[]> = {
  "drs:ViewResources": ROLES,
  "drs:CreateProtectionGroup": ["DRSAdmin", "DRSOperator"],
  "drs:UpdateProtectionGroup": ["DRSAdmin", "DRSOperator"],
  "drs:DeleteProtectionGroup": ["DRSAdmin", "DRSOperator"],
  "drs:CreateRecoveryPlan": ["DRSAdmin", "DRSOperator"],
  "drs:UpdateRecoveryPlan": ["DRSAdmin", "DRSOperator"],
  "drs:DeleteRecoveryPlan": ["DRSAdmin", "DRSOperator"],
  "drs:ExecuteRecovery": ["DRSAdmin", "DRSOperator"],
  "drs:ManageExecution": ["DRSAdmin", "DRSOperator"],
  "drs:TerminateInstances": ["DRSAdmin", "DRSOperator"],
  "drs:ManageAccounts": ["DRSAdmin", "DRSCrossAccount"],
  "admin:ManageUsers": ["DRSAdmin"],
  "admin:ForceEndExecution": ["DRSAdmin"],
  "audit:ReadAuditLog": ["DRSAdmin", "DRSAuditor"],
};

const PARAMS: Record<string, string> = {
  id: "00000000-0000-4000-8000-000000000000",
  accountId: "999999999999",
  instanceId: "i-0123456789abcdef0",
  jobId: "drsjob-0123456789abcdef0",
};
const concrete = (path: string) => path.replace(/\{(\w+)\}/g, (_, name: string) => PARAMS[name] ?? name);

describe("authorization walk: every route × every role", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ DRSO_ENGINE: "off" });
    for (const role of ROLES) await t.as(role);
  }, 120_000);
  afterAll(async () => t?.close());

  it("covers every route the API serves", async () => {
    const doc = (await (await fetch(`${t.baseUrl}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const served = Object.entries(doc.paths)
      .flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`))
      .sort();
    const walked = [...SEED, ...EXTRA].map(([m, p]) => `${m} ${p}`).sort();
    expect(walked).toEqual(served);
  });

  for (const [method, path, access] of [...SEED, ...EXTRA]) {
    if (access === "public") continue;
    it(`${method} ${path} requires ${access}`, async () => {
      const anonymous = await apiClient(t.baseUrl, "").call(method, concrete(path));
      expect(anonymous.status).toBe(401);
      for (const role of ROLES) {
        const { api } = await t.as(role);
        // Authorization runs before validation: an allowed role never gets 401/403, whatever the body.
        const response = await api.call(
          method,
          concrete(path),
          method === "GET" || method === "DELETE" ? undefined : {},
        );
        const allowed = HOLDERS[access]!.includes(role);
        if (allowed)
          expect([401, 403], `${role} → ${response.status} ${JSON.stringify(response.body)}`).not.toContain(
            response.status,
          );
        else {
          expect(response.status, `${role} should be denied`).toBe(403);
          expect(response.body).toMatchObject({ code: "FORBIDDEN", requiredPermission: access, role });
        }
        expect(response.status, `${role} ${method} ${path}`).toBeLessThan(500);
      }
    });
  }
});
