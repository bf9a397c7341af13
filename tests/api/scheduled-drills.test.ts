import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiClient, apiClient, login, waitFor } from "../support/api-client.js";
import { JumpClock } from "../support/jump-clock.js";
import { ADMIN, startTestServer, type TestServer } from "../support/test-server.js";

/**
 * Issue 18 item 2 over HTTP against the real product (SQLite + the DRS simulator) on a virtual clock: the local
 * host's minute tick runs on the product's clock, so jumping the clock makes a schedule's slot come due. A slot on
 * time starts a DRILL initiated by `scheduler` with the schedule's drill TTL; slots that passed while nothing was
 * watching are missed (policy skip) or run once, late (policy run-once); a slot whose servers are busy is refused
 * with why, in the schedule's runs and the audit log.
 */
const PROD = { accountId: "111122223333", region: "us-east-1" };
const MIN = 60_000;

interface ScheduleView {
  enabled: boolean;
  nextRuns: string[];
  lastRun?: {
    slot: string;
    outcome: string;
    executionId?: string;
    late?: boolean;
    code?: string;
    reason?: string;
    missedBefore?: number;
  };
  runs: Array<{ outcome: string }>;
}

describe("scheduled drills", { timeout: 240_000 }, () => {
  const clock = new JumpClock();
  let t: TestServer;
  let admin: ApiClient;
  let planId = "";
  let groupId = "";
  let slotMinute = 0;
  let slotHour = 0;

  const plan = async () => await admin.get<Record<string, unknown>>(`/recovery-plans/${planId}`);
  const schedule = async () => (await admin.get<ScheduleView>(`/recovery-plans/${planId}/schedule`)).body;
  const putSchedule = async (s: Record<string, unknown> | undefined) => {
    const current = await plan();
    const body = {
      name: "nightly",
      waves: [{ name: "app", protectionGroupIds: [groupId] }],
      ...(s ? { schedule: s } : {}),
    };
    return admin.put<{ code?: string }>(`/recovery-plans/${planId}`, body, {
      "if-match": current.headers.get("etag") ?? "",
    });
  };
  /** Moves the product's clock to `minutesAfterSlot` past the next daily slot and lets the minute tick run. */
  const toSlot = async (days: number, minutesAfterSlot: number) => {
    const now = new Date(clock.now());
    const slot = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), slotHour, slotMinute);
    let target = slot + minutesAfterSlot * MIN;
    while (target <= clock.now()) target += 86_400_000;
    target += (days - 1) * 86_400_000;
    clock.jump(target - clock.now());
    // Sessions expire on the product's clock too: sign in again after the jump.
    admin = apiClient(t.baseUrl, await login(t.baseUrl, ADMIN.email, ADMIN.password));
  };
  const runsAfter = (n: number) =>
    waitFor(`schedule run ${n + 1}`, async () => {
      const s = await schedule();
      return s.runs.length > n ? s : undefined;
    });
  const ended = (id: string) =>
    waitFor("the drill to end", async () => {
      const d = (
        await admin.get<{
          status: string;
          initiatedBy: string;
          comment?: string;
          instancesTerminateAt?: string;
          endTime?: string;
        }>(`/executions/${id}`)
      ).body;
      return ["COMPLETED", "FAILED", "CANCELLED"].includes(d.status) ? d : undefined;
    });

  beforeAll(async () => {
    t = await startTestServer({ DRSO_SIM_TIME_SCALE: "0.01" }, { clock });
    admin = t.admin;
    const g = await admin.post<{ groupId: string }>("/protection-groups", {
      name: "scheduled-app",
      ...PROD,
      serverSelectionTags: { App: "orders", Tier: "app" },
    });
    expect(g.status).toBe(201);
    groupId = g.body.groupId;
    const p = await admin.post<{ planId: string }>("/recovery-plans", {
      name: "nightly",
      waves: [{ name: "app", protectionGroupIds: [groupId] }],
    });
    expect(p.status).toBe(201);
    planId = p.body.planId;
    const soon = new Date(clock.now() + 30 * MIN);
    slotMinute = soon.getUTCMinutes();
    slotHour = soon.getUTCHours();
  }, 120_000);
  afterAll(async () => t?.close());

  it("refuses a bad cron expression or time zone with 400 and keeps the plan", async () => {
    const bad = await putSchedule({ cron: "61 * * * *", timezone: "UTC" });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("minute");
    const seconds = await putSchedule({ cron: "0 0 3 * * *", timezone: "UTC" });
    expect(seconds.status).toBe(400);
    const zone = await putSchedule({ cron: "0 3 * * *", timezone: "Mars/Olympus" });
    expect(zone.status).toBe(400);
    expect((await plan()).body.schedule).toBeUndefined();
    expect((await schedule()).enabled).toBe(false);
  });

  it("shows the next runs, and starts a drill at its slot on the product's clock", async () => {
    const set = await putSchedule({
      cron: `${slotMinute} ${slotHour} * * *`,
      timezone: "UTC",
      drillTtlHours: 3,
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    const view = await schedule();
    expect(view.enabled).toBe(true);
    expect(view.nextRuns).toHaveLength(3);
    expect(new Date(view.nextRuns[0]!).getUTCHours()).toBe(slotHour);
    expect(Date.parse(view.nextRuns[1]!) - Date.parse(view.nextRuns[0]!)).toBe(86_400_000);

    await toSlot(1, 1);
    const s = await runsAfter(0);
    expect(s.lastRun).toMatchObject({ outcome: "started" });
    const d = await ended(s.lastRun!.executionId!);
    expect(d.status).toBe("COMPLETED");
    expect(d.initiatedBy).toBe("scheduler");
    expect(d.comment).toContain("Scheduled drill");
    // The schedule's drill TTL (3 h), not the settings' 24 h.
    // (counted from when the orchestrator saw the end, a few seconds after DRS's end time)
    const ttl = Date.parse(d.instancesTerminateAt!) - Date.parse(d.endTime!);
    expect(ttl).toBeGreaterThanOrEqual(3 * 3_600_000);
    expect(ttl).toBeLessThan(3 * 3_600_000 + 2 * MIN);
  });

  it("records slots that passed unseen as missed (policy skip), in its runs and the audit log", async () => {
    await toSlot(3, 45);
    const s = await runsAfter(1);
    expect(s.lastRun).toMatchObject({ outcome: "missed", missedBefore: 1 });
    const audit = await admin.get<{ items: Array<{ action: string; outcome: string; targetId?: string }> }>(
      `/audit?action=recovery-plan.scheduled-drill&targetId=${planId}`,
    );
    expect(audit.body.items.map((a) => a.outcome)).toEqual(["failure", "success"]);
  });

  it("runs a missed slot once, late, under policy run-once", async () => {
    const set = await putSchedule({
      cron: `${slotMinute} ${slotHour} * * *`,
      timezone: "UTC",
      drillTtlHours: 3,
      missedRunPolicy: "run-once",
    });
    expect(set.status).toBe(200);
    await toSlot(1, 45);
    const s = await runsAfter(2);
    expect(s.lastRun).toMatchObject({ outcome: "started", late: true });
    expect((await ended(s.lastRun!.executionId!)).status).toBe("COMPLETED");
  });

  it("a slot whose servers are in another execution is refused, naming why", async () => {
    // A drill by hand that holds the servers: DRS time stands still, so its job keeps running.
    t.server.simulator!.control.clock({ mode: "manual" });
    const manual = await admin.post<{ executionId: string }>(`/recovery-plans/${planId}/execute`, {
      executionType: "DRILL",
    });
    expect(manual.status).toBe(202);
    await toSlot(1, 1);
    const s = await runsAfter(3);
    expect(s.lastRun).toMatchObject({ outcome: "refused", code: "SERVER_IN_ACTIVE_EXECUTION" });
    expect(s.lastRun!.reason).toContain(manual.body.executionId);
    t.server.simulator!.control.clock({ mode: "real" });
  });
});
