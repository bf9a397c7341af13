import { apiCall } from "./product.js";

/** A demo plan on the simulator's fleet: four groups, four waves (a DAG with a parallel branch). */
export async function seedDemoPlan(
  url: string,
  token: string,
): Promise<{ planId: string; groupIds: string[] }> {
  const groups: Array<[string, Record<string, string>]> = [
    ["billing-db", { App: "billing", Tier: "db", Environment: "prod" }],
    ["billing-app", { App: "billing", Tier: "app", Environment: "prod" }],
    ["billing-web", { App: "billing", Tier: "web", Environment: "prod" }],
    ["crm", { App: "crm", Tier: "app" }],
  ];
  const groupIds: string[] = [];
  for (const [name, tags] of groups) {
    const g = await apiCall<{ groupId: string }>(url, token, "POST", "/protection-groups", {
      name,
      description: `${name} servers`,
      accountId: "111122223333",
      region: "us-east-1",
      serverSelectionTags: tags,
      launchSettings: { launchDisposition: "STARTED", copyTags: true },
    });
    groupIds.push(g.groupId);
  }
  const [db, app, web, crm] = groupIds as [string, string, string, string];
  const plan = await apiCall<{ planId: string }>(url, token, "POST", "/recovery-plans", {
    name: "Billing platform",
    description: "Databases first, then applications and the web tier; CRM recovers in parallel.",
    rtoSeconds: 120,
    rpoSeconds: 900,
    waves: [
      { waveId: "databases", name: "Databases", protectionGroupIds: [db], dependsOn: [] },
      {
        waveId: "applications",
        name: "Applications",
        protectionGroupIds: [app],
        dependsOn: ["databases"],
        postActions: [{ type: "wait", name: "Warm caches", seconds: 30 }],
      },
      { waveId: "web", name: "Web tier", protectionGroupIds: [web], dependsOn: ["applications"] },
      { waveId: "crm", name: "CRM", protectionGroupIds: [crm], dependsOn: [] },
    ],
  });
  return { planId: plan.planId, groupIds };
}

export async function runDrill(
  url: string,
  token: string,
  planId: string,
  timeoutMs = 120_000,
): Promise<string> {
  const started = await apiCall<{ executionId: string }>(
    url,
    token,
    "POST",
    `/recovery-plans/${planId}/execute`,
    {
      executionType: "DRILL",
      comment: "Quarterly DR test",
    },
  );
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const e = await apiCall<{ status: string }>(url, token, "GET", `/executions/${started.executionId}`);
    if (["COMPLETED", "FAILED", "CANCELLED"].includes(e.status)) return started.executionId;
    if (Date.now() > deadline) throw new Error(`drill ${started.executionId} still ${e.status}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
