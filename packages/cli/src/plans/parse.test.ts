import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { docsExample } from "../testing/harness.js";
import { formatIssue, formatPath, parsePlanFile } from "./parse.js";

const header = "apiVersion: drs-orchestrator/v1\nkind: DrPlanSet\n";

function issuesOf(text: string) {
  const result = parsePlanFile(text, "plans.yaml");
  if (result.ok) throw new Error("expected problems");
  return result.issues.map(formatIssue);
}

describe("parsePlanFile", () => {
  it("accepts the docs example", async () => {
    const result = parsePlanFile(await docsExample(), "example.yaml");
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.plan.protectionGroups?.map((g) => g.name)).toEqual([
        "payments-db",
        "payments-app",
        "payments-web",
      ]);
      expect(result.plan.recoveryPlans?.[0]?.waves.map((w) => w.waveId)).toEqual(["db", "app", "web"]);
    }
  });

  it("points YAML syntax errors at their line and column", () => {
    expect(issuesOf(`${header}protectionGroups:\n  - name: [unclosed\n`)[0]).toMatch(
      /^plans\.yaml:\d+:\d+: /,
    );
    const duplicate = issuesOf(`${header}kind: DrPlanSet\n`);
    expect(duplicate[0]).toBe("plans.yaml:3:1: Map keys must be unique");
  });

  it("maps schema issues back to the YAML node", () => {
    const text = `${header}protectionGroups:
  - name: db
    accountId: 111122223333
    region: us-east-1
    serverSelectionTags: { App: x }
    colour: blue
  - name: app
    accountId: "111122223333"
    region: nowhere
recoveryPlans:
  - name: p
    waves:
      - name: w
        protectionGroupIds: [db]
        protectionGroups: [db]
        onFailure: later
`;
    expect(issuesOf(text)).toEqual([
      'plans.yaml:5:16: protectionGroups[0].accountId: Invalid input: expected string, received number (quote it in YAML, e.g. accountId: "012345678901", or leading zeros are lost)',
      'plans.yaml:8:5: protectionGroups[0].colour: unknown field "colour"',
      "plans.yaml:9:5: protectionGroups[1].sourceServerIds: give exactly one of sourceServerIds (explicit servers) or serverSelectionTags (tag selection)",
      "plans.yaml:11:13: protectionGroups[1].region: must be an AWS region name such as us-east-1",
      'plans.yaml:16:9: recoveryPlans[0].waves[0].protectionGroupIds: unknown field "protectionGroupIds" (name the groups in protectionGroups instead)',
      'plans.yaml:18:20: recoveryPlans[0].waves[0].onFailure: Invalid option: expected one of "abort"|"continue"|"pause"',
    ]);
  });

  it("points a missing field at the object that lacks it", () => {
    const text = `${header}recoveryPlans:\n  - name: p\n    description: no waves\n`;
    expect(issuesOf(text)).toEqual([
      "plans.yaml:4:5: recoveryPlans[0].waves: Invalid input: expected array, received undefined",
    ]);
    expect(issuesOf("kind: DrPlanSet\n")).toEqual([
      'plans.yaml:1:1: apiVersion: Invalid input: expected "drs-orchestrator/v1"',
    ]);
    expect(issuesOf("")[0]).toMatch(/^plans\.yaml:1:1: apiVersion: /);
  });

  it("checks names, group references and the wave graph", () => {
    const text = `${header}protectionGroups:
  - name: db
    accountId: "111122223333"
    region: us-east-1
    serverSelectionTags: { Tier: db }
  - name: DB
    accountId: "111122223333"
    region: us-east-1
    serverSelectionTags: { Tier: db2 }
recoveryPlans:
  - name: p
    waves:
      - { waveId: a, name: A, protectionGroups: [db], dependsOn: [b] }
      - { waveId: b, name: B, protectionGroups: [web], dependsOn: [a] }
  - name: P
    waves:
      - { name: C, protectionGroups: [db], dependsOn: [wave-9] }
`;
    expect(issuesOf(text)).toEqual([
      'plans.yaml:8:11: protectionGroups[1].name: duplicate protection group name "DB" (names are case-insensitive; first at protectionGroups[0])',
      "plans.yaml:15:66: recoveryPlans[0].waves[0].dependsOn: dependency cycle: a -> b -> a",
      'plans.yaml:16:50: recoveryPlans[0].waves[1].protectionGroups[0]: unknown protection group "web": define it under protectionGroups in this file',
      'plans.yaml:17:11: recoveryPlans[1].name: duplicate recovery plan name "P" (names are case-insensitive; first at recoveryPlans[0])',
      "plans.yaml:19:56: recoveryPlans[1].waves[0].dependsOn[0]: unknown wave 'wave-9'",
    ]);
  });

  it("formats paths like the docs", () => {
    expect(formatPath(["recoveryPlans", 0, "waves", 2, "name"])).toBe("recoveryPlans[0].waves[2].name");
    expect(formatPath([])).toBe("");
  });

  it("accepts JSON, which is YAML", async () => {
    const yaml = await docsExample();
    const parsed = parsePlanFile(yaml, "a.yaml");
    if (!parsed.ok) throw new Error("example invalid");
    expect(parsePlanFile(JSON.stringify(parsed.plan), "a.json")).toEqual(parsed);
  });

  it("the docs page shows the messages drsctl really prints", async () => {
    const doc = await readFile(new URL("../../../../docs/plans-as-code.md", import.meta.url), "utf8");
    expect(doc).toContain('unknown field "colour"');
  });
});
