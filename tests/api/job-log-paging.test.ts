import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiClient } from "../support/api-client.js";
import { type ApiHarness, createApiHarness } from "../support/api-harness.js";
import { createPlan, startExecution, tierGroup } from "../support/scenario.js";

/**
 * Issue 14 item 4: paging an execution's job logs across its jobs does not skip items. A two-wave drill (two DRS
 * jobs, each with its own log) is read through the API a few items at a time, each page after the last item of
 * the one before (its jobId and index): every item comes exactly once, in (jobId, index) order.
 */
interface Logs {
  jobs: Array<{ jobId: string }>;
  items: Array<{ jobId: string; index: number; event: string }>;
}

describe("job log paging across jobs, through the HTTP API", () => {
  let h: ApiHarness;
  let api: ApiClient;
  let id: string;
  beforeAll(async () => {
    h = await createApiHarness({ fleet: "demo", settings: { drillTtlHours: 0 } });
    api = await h.api();
    const planId = await createPlan(api, {
      name: "Orders",
      waves: [
        { name: "db", protectionGroupIds: [await tierGroup(api, "db")] },
        { name: "web", protectionGroupIds: [await tierGroup(api, "web")] },
      ],
    });
    id = await startExecution(api, planId);
    await h.drive(h.terminal(id));
  }, 120_000);
  afterAll(async () => h?.close());

  it("pages after (jobId, index) and returns every item exactly once", async () => {
    const all = await api.get<Logs>(`/executions/${id}/job-logs?limit=5000`);
    expect(all.status).toBe(200);
    expect(all.body.jobs).toHaveLength(2);
    const jobIds = new Set(all.body.items.map((i) => i.jobId));
    expect(jobIds.size, "both jobs have log items").toBe(2);

    const paged: Logs["items"] = [];
    let after = "";
    for (let page = 0; page < 100; page++) {
      const r = await api.get<Logs>(`/executions/${id}/job-logs?limit=3${after}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      paged.push(...r.body.items);
      const last = r.body.items.at(-1);
      if (!last || r.body.items.length < 3) break;
      after = `&afterJobId=${last.jobId}&afterIndex=${last.index}`;
    }
    const key = (i: { jobId: string; index: number }) => `${i.jobId}#${i.index}`;
    expect(paged.map(key)).toEqual(all.body.items.map(key));
  });

  it("refuses a cursor that names no job with 400 and a stable code", async () => {
    const r = await api.get<{ code: string }>(`/executions/${id}/job-logs?afterJobId=nope&afterIndex=1`);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe("VALIDATION_FAILED");
  });
});
