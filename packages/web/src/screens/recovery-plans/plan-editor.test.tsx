import createWrapper from "@cloudscape-design/components/test-utils/dom";
import { act, render } from "@testing-library/react";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import { PlanEditor } from "./plan-editor.js";
import { draftFromPlan, type GroupRef, mergeProblems, type PlanDraft, validatePlan } from "./plan-model.js";

const GROUPS: GroupRef[] = [
  {
    groupId: "11111111-1111-4111-8111-111111111111",
    name: "billing-db",
    accountId: "111122223333",
    region: "us-east-1",
  },
  {
    groupId: "22222222-2222-4222-8222-222222222222",
    name: "billing-app",
    accountId: "111122223333",
    region: "us-east-1",
  },
  {
    groupId: "33333333-3333-4333-8333-333333333333",
    name: "billing-web",
    accountId: "111122223333",
    region: "us-east-1",
  },
];
const [DB, APP, WEB] = GROUPS.map((g) => g.groupId) as [string, string, string];

function plan(waves: Array<{ waveId: string; groups: string[]; dependsOn?: string[] }>): PlanDraft {
  return draftFromPlan({
    name: "Billing",
    rtoSeconds: 3600,
    waves: waves.map((w) => ({
      waveId: w.waveId,
      name: `Wave ${w.waveId}`,
      protectionGroupIds: w.groups,
      dependsOn: w.dependsOn ?? [],
    })),
  });
}

/** The editor as the page uses it: state, client validation, problems shown. */
function Harness({
  initial,
  serverIssues = [],
  showProblems = true,
}: {
  initial: PlanDraft;
  serverIssues?: Array<{ path: string; message: string }>;
  showProblems?: boolean;
}) {
  const [draft, setDraft] = useState(initial);
  const problems = mergeProblems(validatePlan(draft, GROUPS), serverIssues);
  return (
    <PlanEditor
      draft={draft}
      onChange={setDraft}
      groups={GROUPS}
      problems={problems}
      showProblems={showProblems}
      readOnly={false}
    />
  );
}

function fieldError(container: HTMLElement, testId: string): string | undefined {
  const field = createWrapper(container).findFormField(`[data-testid="${testId}"]`);
  expect(field, `form field ${testId}`).not.toBeNull();
  return field!.findError()?.getElement().textContent ?? undefined;
}

function graphNode(container: HTMLElement, waveId: string): Element {
  const node = container.querySelector(`[data-testid="wave-graph"] [data-wave="${waveId}"]`);
  expect(node, `graph node ${waveId}`).not.toBeNull();
  return node!;
}

describe("plan editor validation", () => {
  it("places a dependency cycle on the dependencies of every wave in the cycle, and on their graph nodes", () => {
    const { container } = render(
      <Harness
        initial={plan([
          { waveId: "db", groups: [DB], dependsOn: ["web"] },
          { waveId: "app", groups: [APP], dependsOn: ["db"] },
          { waveId: "web", groups: [WEB], dependsOn: ["app"] },
        ])}
      />,
    );
    for (const i of [0, 1, 2]) {
      expect(fieldError(container, `wave-${i}-depends-field`)).toMatch(
        /Dependency cycle: .*db.*app.*web|Dependency cycle/,
      );
      expect(fieldError(container, `wave-${i}-groups-field`)).toBeUndefined();
    }
    expect(fieldError(container, "plan-name-field")).toBeUndefined();
    expect(graphNode(container, "app").getAttribute("aria-label")).toContain("Problems: Dependency cycle");
  });

  it("reports an unknown dependency at that wave's dependencies only", () => {
    const { container } = render(
      <Harness
        initial={plan([
          { waveId: "db", groups: [DB] },
          { waveId: "app", groups: [APP], dependsOn: ["ghost"] },
        ])}
      />,
    );
    expect(fieldError(container, "wave-1-depends-field")).toContain("Unknown wave 'ghost'");
    expect(fieldError(container, "wave-0-depends-field")).toBeUndefined();
    expect(graphNode(container, "db").getAttribute("aria-label")).not.toContain("Problems");
    expect(graphNode(container, "app").getAttribute("aria-label")).toContain("Unknown wave 'ghost'");
  });

  it("reports a protection group used in two waves at the second wave's groups", () => {
    const { container } = render(
      <Harness
        initial={plan([
          { waveId: "db", groups: [DB] },
          { waveId: "app", groups: [APP, DB], dependsOn: ["db"] },
        ])}
      />,
    );
    expect(fieldError(container, "wave-1-groups-field")).toContain(
      "Protection group 'billing-db' is already in wave 'db'",
    );
    expect(fieldError(container, "wave-0-groups-field")).toBeUndefined();
    expect(fieldError(container, "wave-1-depends-field")).toBeUndefined();
  });

  it("shows no problem for a valid three-wave plan with dependencies, and draws every edge", () => {
    const { container } = render(
      <Harness
        initial={plan([
          { waveId: "db", groups: [DB] },
          { waveId: "app", groups: [APP], dependsOn: ["db"] },
          { waveId: "web", groups: [WEB], dependsOn: ["app"] },
        ])}
      />,
    );
    for (const i of [0, 1, 2]) {
      expect(fieldError(container, `wave-${i}-depends-field`)).toBeUndefined();
      expect(fieldError(container, `wave-${i}-groups-field`)).toBeUndefined();
    }
    expect(container.querySelectorAll('[data-testid="wave-graph"] path[marker-end]')).toHaveLength(2);
    expect(graphNode(container, "web").getAttribute("aria-label")).toContain("after app");
  });

  it("places the server's answer at the field it names (waves.1.protectionGroupIds → wave 2's groups)", () => {
    const { container } = render(
      <Harness
        initial={plan([
          { waveId: "db", groups: [DB] },
          { waveId: "app", groups: [APP], dependsOn: ["db"] },
        ])}
        serverIssues={[
          {
            path: "waves.1.protectionGroupIds",
            message: "source server s-1 (db-1) is in wave 'db' and wave 'app'",
          },
        ]}
      />,
    );
    expect(fieldError(container, "wave-1-groups-field")).toContain("is in wave 'db' and wave 'app'");
    expect(fieldError(container, "wave-0-groups-field")).toBeUndefined();
  });

  it("clears a cycle when the offending dependency is removed, and names a missing plan name", () => {
    const { container } = render(
      <Harness
        initial={{
          ...plan([
            { waveId: "db", groups: [DB], dependsOn: ["app"] },
            { waveId: "app", groups: [APP], dependsOn: ["db"] },
          ]),
          name: "",
        }}
      />,
    );
    expect(fieldError(container, "plan-name-field")).toContain("A plan needs a name");
    expect(fieldError(container, "wave-0-depends-field")).toContain("Dependency cycle");
    const deps = createWrapper(container).findMultiselect('[data-testid="wave-0-depends"]')!;
    act(() => {
      deps.findToken(1)!.findDismiss().click();
    });
    expect(fieldError(container, "wave-0-depends-field")).toBeUndefined();
    expect(fieldError(container, "wave-1-depends-field")).toBeUndefined();
  });

  it("adds a wave with a fresh ID and flags its missing protection group", () => {
    const { container } = render(<Harness initial={plan([{ waveId: "wave-1", groups: [DB] }])} />);
    act(() => {
      createWrapper(container).findButton('[data-testid="add-wave"]')!.click();
    });
    expect(container.querySelector('[data-testid="wave-1"]')).not.toBeNull();
    expect(fieldError(container, "wave-1-groups-field")).toContain("Choose at least one protection group");
    expect(graphNode(container, "wave-2")).toBeDefined();
  });

  it("shows a cycle, an unknown dependency and an empty wave at the field while editing, before Validate", () => {
    const { container } = render(
      <Harness
        showProblems={false}
        initial={{
          ...plan([
            { waveId: "db", groups: [DB] },
            { waveId: "app", groups: [APP], dependsOn: ["db", "ghost"] },
          ]),
          name: "",
        }}
      />,
    );
    expect(fieldError(container, "wave-1-depends-field")).toContain("Unknown wave 'ghost'");
    // A field being typed is not red yet: the missing plan name waits for Save or Validate.
    expect(fieldError(container, "plan-name-field")).toBeUndefined();
    const deps = createWrapper(container).findMultiselect('[data-testid="wave-0-depends"]')!;
    act(() => deps.openDropdown());
    act(() => deps.selectOptionByValue("app"));
    expect(fieldError(container, "wave-0-depends-field")).toContain("Dependency cycle");
    expect(fieldError(container, "wave-1-depends-field")).toContain("Dependency cycle");
    act(() => {
      createWrapper(container).findButton('[data-testid="add-wave"]')!.click();
    });
    expect(fieldError(container, "wave-2-groups-field")).toContain("Choose at least one protection group");
  });

  it("says which waves start immediately once a dependency turns a sequential plan into a graph", () => {
    const { container } = render(
      <Harness
        showProblems={false}
        initial={plan([
          { waveId: "db", groups: [DB] },
          { waveId: "app", groups: [APP] },
          { waveId: "web", groups: [WEB] },
        ])}
      />,
    );
    const notice = () => container.querySelector('[data-testid="dependency-mode-notice"]');
    expect(notice()).toBeNull();
    const deps = createWrapper(container).findMultiselect('[data-testid="wave-2-depends"]')!;
    act(() => deps.openDropdown());
    act(() => deps.selectOptionByValue("db"));
    const text = notice()?.textContent ?? "";
    expect(text).toContain("Wave app");
    expect(text).toContain("starts immediately");
    expect(text).not.toContain("Wave web");
    expect(graphNode(container, "app").getAttribute("aria-label")).toContain("starts first");
    // Giving that wave a dependency again settles it: the notice goes.
    const appDeps = createWrapper(container).findMultiselect('[data-testid="wave-1-depends"]')!;
    act(() => appDeps.openDropdown());
    act(() => appDeps.selectOptionByValue("db"));
    expect(notice()).toBeNull();
  });

  it("says which waves wait again once the last dependency is removed and the plan runs in list order", () => {
    const { container } = render(
      <Harness
        showProblems={false}
        initial={plan([
          { waveId: "db", groups: [DB] },
          { waveId: "app", groups: [APP], dependsOn: ["db"] },
          { waveId: "web", groups: [WEB] },
        ])}
      />,
    );
    const notice = () => container.querySelector('[data-testid="dependency-mode-notice"]');
    expect(notice()).toBeNull();
    const deps = createWrapper(container).findMultiselect('[data-testid="wave-1-depends"]')!;
    act(() => {
      deps.findToken(1)!.findDismiss().click();
    });
    const text = notice()?.textContent ?? "";
    expect(text).toContain("list order");
    expect(text).toContain("Wave web");
    expect(text).toContain("now waits for the previous wave");
    expect(graphNode(container, "web").getAttribute("aria-label")).toContain("after app");
  });
});
