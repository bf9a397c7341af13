import { describe, expect, it } from "vitest";
import { Harness } from "../testing/harness.js";

function errorOf(fn: () => unknown): { exception: string; fields: Record<string, unknown> } {
  try {
    fn();
  } catch (error) {
    return error as { exception: string; fields: Record<string, unknown> };
  }
  throw new Error("expected an error");
}

describe("quotas (spec §8)", () => {
  it("101 servers in one job → L-B827C881; 201 → validation", async () => {
    const h = new Harness();
    const ids = h.seed(201);
    expect(errorOf(() => h.drill(ids.slice(0, 101)))).toMatchObject({
      exception: "ServiceQuotaExceededException",
      fields: { quotaCode: "L-B827C881", serviceCode: "drs" },
    });
    expect(errorOf(() => h.drill(ids))).toMatchObject({ exception: "ValidationException" });
    expect(h.drill(ids.slice(0, 100))).toMatch(/^drsjob-/);
    await h.close();
  });

  it("the 21st concurrent job → L-D88FAC3A; a finished job frees a slot", async () => {
    const h = new Harness();
    const ids = h.seed(21);
    for (const id of ids.slice(0, 20)) h.drill([id]);
    expect(errorOf(() => h.drill([ids[20] as string]))).toMatchObject({
      exception: "ServiceQuotaExceededException",
      fields: { quotaCode: "L-D88FAC3A" },
    });
    h.settle();
    expect(h.drill([ids[20] as string])).toMatch(/^drsjob-/);
    await h.close();
  });

  it("more than 500 servers in active jobs → L-05AFA8C6", async () => {
    const h = new Harness();
    const ids = h.seed(501);
    for (let i = 0; i < 5; i++) h.drill(ids.slice(i * 100, i * 100 + 100));
    expect(errorOf(() => h.drill([ids[500] as string]))).toMatchObject({
      exception: "ServiceQuotaExceededException",
      fields: { quotaCode: "L-05AFA8C6" },
    });
    await h.close();
  });

  it("a server already in an active job → 409 with its ID, or SQ L-DD6D028C with the knob", async () => {
    const h = new Harness();
    const [a, b] = h.seed(2) as [string, string];
    h.drill([a]);
    expect(errorOf(() => h.drill([b, a]))).toMatchObject({
      exception: "ConflictException",
      fields: { resourceId: a, resourceType: "SOURCE_SERVER" },
    });
    h.runtime.setConfig({ perServerJobConflictAs: "quota" });
    expect(errorOf(() => h.drill([a]))).toMatchObject({
      exception: "ServiceQuotaExceededException",
      fields: { quotaCode: "L-DD6D028C", resourceId: a },
    });
    expect(
      errorOf(() => h.call("UpdateLaunchConfiguration", { sourceServerID: a, copyTags: true })),
    ).toMatchObject({
      exception: "ConflictException",
    });
    await h.close();
  });

  it("quotas are configurable and per account and region", async () => {
    const h = new Harness({ config: { quotas: { concurrentJobs: 1 } } });
    const [a, b] = h.seed(2) as [string, string];
    const [c] = h.seed(1, {}, "us-west-2") as [string];
    h.drill([a]);
    expect(errorOf(() => h.drill([b]))).toMatchObject({ fields: { quotaCode: "L-D88FAC3A" } });
    expect(
      h.call("StartRecovery", { sourceServers: [{ sourceServerID: c }] }, { region: "us-west-2" }).job.status,
    ).toBe("PENDING");
    await h.close();
  });
});
