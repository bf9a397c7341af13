import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { toYaml } from "../output.js";
import { docsExample } from "../testing/harness.js";
import { computeChanges, deepEqual, diffValues } from "./diff.js";
import type { PlanFile } from "./format.js";
import { planFileOf, type ServerState } from "./model.js";
import { parsePlanFile } from "./parse.js";
import { renderChangeSet } from "./render.js";

const G1 = "11111111-1111-4111-8111-111111111111";
const G2 = "22222222-2222-4222-8222-222222222222";
const G3 = "33333333-3333-4333-8333-333333333333";
const P1 = "44444444-4444-4444-8444-444444444444";

/** What the server returns for the docs example after `apply` (waves normalized, defaults filled in). */
function serverState(): ServerState {
  return {
    groups: [
      {
        groupId: G1,
        version: 1,
        name: "payments-db",
        description: "Payments databases",
        accountId: "444455556666",
        region: "us-east-1",
        serverSelectionTags: { Tier: "db", App: "payments" },
        launchSettings: { launchDisposition: "STARTED", copyPrivateIp: true, copyTags: true },
      },
      {
        groupId: G2,
        version: 3,
        name: "payments-app",
        accountId: "444455556666",
        region: "us-east-1",
        serverSelectionTags: { App: "payments", Tier: "app" },
      },
      {
        groupId: G3,
        version: 2,
        name: "payments-web",
        accountId: "444455556666",
        region: "us-east-1",
        serverSelectionTags: { App: "payments", Tier: "web" },
        launchSettings: { targetInstanceTypeRightSizingMethod: "BASIC" },
      },
    ],
    plans: [
      {
        planId: P1,
        version: 5,
        name: "payments",
        description: "Payments platform, databases first",
        rpoSeconds: 900,
        rtoSeconds: 3600,
        waves: [
          {
            waveId: "db",
            name: "Databases",
            protectionGroupIds: [G1],
            dependsOn: [],
            pauseBefore: false,
            preActions: [],
            postActions: [{ type: "wait", name: "let the databases settle", seconds: 2 }],
            onFailure: "abort",
            timeoutSeconds: 3600,
          },
          {
            waveId: "app",
            name: "Application servers",
            protectionGroupIds: [G2],
            dependsOn: ["db"],
            pauseBefore: false,
            preActions: [],
            postActions: [],
            onFailure: "abort",
            timeoutSeconds: 7200,
          },
          {
            waveId: "web",
            name: "Web front ends",
            protectionGroupIds: [G3],
            dependsOn: ["app"],
            pauseBefore: false,
            preActions: [],
            postActions: [],
            onFailure: "continue",
            timeoutSeconds: 7200,
          },
        ],
      },
    ],
  };
}

async function example(): Promise<PlanFile> {
  const result = parsePlanFile(await docsExample(), "example.yaml");
  if (!result.ok) throw new Error("the docs example is invalid");
  return result.plan;
}

describe("computeChanges", () => {
  it("finds nothing to do when the server matches the file (defaults, key order and tag order aside)", async () => {
    const changes = computeChanges(await example(), serverState(), { prune: true });
    expect(changes.changes).toEqual([]);
    expect(renderChangeSet(changes, { prune: true })).toBe("No changes: the server matches the file.\n");
  });

  it("creates everything on an empty server, groups before plans", async () => {
    const changes = computeChanges(await example(), { groups: [], plans: [] }, { prune: false });
    expect(changes.changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual([
      "create protection-group payments-db",
      "create protection-group payments-app",
      "create protection-group payments-web",
      "create recovery-plan payments",
    ]);
    expect(changes.summary).toEqual({ create: 4, update: 0, delete: 0 });
  });

  it("reports field-level updates with the version they were computed from", async () => {
    const file = await example();
    file.recoveryPlans![0]!.rtoSeconds = 1800;
    file.recoveryPlans![0]!.waves[1]!.onFailure = "continue";
    delete file.protectionGroups![0]!.description;
    file.protectionGroups![2]!.serverSelectionTags = { App: "payments", Tier: "edge" };
    const changes = computeChanges(file, serverState(), { prune: false });
    expect(changes.changes).toMatchObject([
      {
        action: "update",
        kind: "protection-group",
        name: "payments-db",
        id: G1,
        version: 1,
        fields: [{ path: "description", before: "Payments databases" }],
      },
      {
        action: "update",
        name: "payments-web",
        version: 2,
        fields: [{ path: "serverSelectionTags.Tier", before: "web", after: "edge" }],
      },
      {
        action: "update",
        kind: "recovery-plan",
        id: P1,
        version: 5,
        fields: [
          { path: "rtoSeconds", before: 3600, after: 1800 },
          { path: "waves[1].onFailure", before: "abort", after: "continue" },
        ],
      },
    ]);
    expect(renderChangeSet(changes, { prune: false })).toBe(
      [
        '~ protection-group "payments-db"',
        '    - description: "Payments databases"',
        '~ protection-group "payments-web"',
        '    ~ serverSelectionTags.Tier: "web" → "edge"',
        '~ recovery-plan "payments"',
        "    ~ rtoSeconds: 3600 → 1800",
        '    ~ waves[1].onFailure: "abort" → "continue"',
        "",
        "Plan: 0 to create, 3 to update, 0 to delete.",
        "",
      ].join("\n"),
    );
  });

  it("puts group updates before group creates, and deletes (plans, then groups) last, only with prune", async () => {
    const file = await example();
    file.protectionGroups![1]!.description = "changed";
    file.protectionGroups!.unshift({
      name: "hr-db",
      accountId: "444455556666",
      region: "us-east-1",
      serverSelectionTags: { App: "hr" },
    });
    const state = serverState();
    state.groups.push({
      groupId: "55555555-5555-4555-8555-555555555555",
      version: 1,
      name: "old",
      accountId: "444455556666",
      region: "us-east-1",
      sourceServerIds: ["s-1234567890abcdef0"],
    });
    state.plans.push({
      ...state.plans[0]!,
      planId: "66666666-6666-4666-8666-666666666666",
      name: "old-plan",
    });

    const kept = computeChanges(file, state, { prune: false });
    expect(kept.changes.map((c) => `${c.action} ${c.name}`)).toEqual(["update payments-app", "create hr-db"]);
    expect(kept.unmanaged.map((u) => u.name)).toEqual(["old-plan", "old"]);
    expect(renderChangeSet(kept, { prune: false })).toContain(
      'Not in the file and left alone (--prune deletes them): recovery-plan "old-plan", protection-group "old".',
    );

    const pruned = computeChanges(file, state, { prune: true });
    expect(pruned.changes.map((c) => `${c.action} ${c.name}`)).toEqual([
      "update payments-app",
      "create hr-db",
      "delete old-plan",
      "delete old",
    ]);
    expect(pruned.unmanaged).toEqual([]);
  });

  it("matches names case-insensitively and shows a case-only rename as an update of the name", async () => {
    const file = await example();
    file.protectionGroups![0]!.name = "Payments-DB";
    file.recoveryPlans![0]!.waves[0]!.protectionGroups = ["Payments-DB"];
    const changes = computeChanges(file, serverState(), { prune: true });
    expect(changes.changes).toMatchObject([
      {
        action: "update",
        name: "Payments-DB",
        fields: [{ path: "name", before: "payments-db", after: "Payments-DB" }],
      },
    ]);
  });

  it("treats waves without waveId like the server does (wave-N by position)", async () => {
    const file = await example();
    const state = serverState();
    for (const [i, wave] of file.recoveryPlans![0]!.waves.entries()) {
      delete wave.waveId;
      delete wave.dependsOn;
      state.plans[0]!.waves[i]!.waveId = `wave-${i + 1}`;
      state.plans[0]!.waves[i]!.dependsOn = [];
    }
    expect(computeChanges(file, state, { prune: true }).changes).toEqual([]);
  });
});

describe("export", () => {
  it("writes a file that applies as a no-op, without defaults, every wave with its ID", async () => {
    const state = serverState();
    const exported = planFileOf(state);
    const text = toYaml(exported);
    const reparsed = parsePlanFile(text, "exported.yaml");
    if (!reparsed.ok) throw new Error(reparsed.issues.map((i) => i.message).join("\n"));
    expect(computeChanges(reparsed.plan, state, { prune: true }).changes).toEqual([]);
    expect(exported.protectionGroups!.map((g) => g.name)).toEqual([
      "payments-app",
      "payments-db",
      "payments-web",
    ]);
    const wave = (parse(text) as PlanFile).recoveryPlans![0]!.waves[1]!;
    expect(wave).toEqual({
      waveId: "app",
      name: "Application servers",
      protectionGroups: ["payments-app"],
      dependsOn: ["db"],
    });
  });

  it("refuses a plan that refers to a group the server did not list", () => {
    const state = serverState();
    state.groups = state.groups.slice(1);
    expect(() => planFileOf(state)).toThrow(/refers to protection group 1111/);
  });
});

describe("diffValues and deepEqual", () => {
  it("ignores key order and absent-vs-undefined, not array order", () => {
    expect(deepEqual({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1, c: undefined })).toBe(true);
    expect(deepEqual([1, 2], [2, 1])).toBe(false);
    expect(diffValues({ list: ["a"] }, { list: ["a", "b"] })).toEqual([
      { path: "list", before: ["a"], after: ["a", "b"] },
    ]);
    expect(diffValues({ waves: [{ a: 1 }] }, { waves: [{ a: 1 }, { a: 2 }] })).toEqual([
      { path: "waves[1]", after: { a: 2 } },
    ]);
  });
});
