import type { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { joinToString, type SynthesizedApp, synthesizeApp } from "../testing/synth.js";
import { LAMBDA_ENTRIES, type LambdaName, sdkCommandsOfBundles } from "./bundling.js";
import { crossAccountTemplate } from "./cross-account-template.js";
import {
  CREDENTIAL_CHAIN_ONLY,
  DRS_DEPENDENT_ACTIONS,
  DRS_MANAGED_TAG,
  DRS_SERVICE_ROLE_NAMES,
  NOT_SENT_BY,
  SDK_COMMAND_PERMISSIONS,
  TARGET_ACCOUNT_CLIENTS,
} from "./iam-table.js";

type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};
type Resource = { Type: string; Properties: Record<string, unknown> };

const names = Object.keys(LAMBDA_ENTRIES) as LambdaName[];
const list = <T>(v: T | T[]) => (Array.isArray(v) ? v : [v]);

let s: SynthesizedApp;
let bundles: Record<LambdaName, string[]>;
let crossAccount: Statement[];
beforeAll(() => {
  bundles = sdkCommandsOfBundles();
  s = synthesizeApp();
  const t = crossAccountTemplate() as { Resources: Record<string, Resource> };
  crossAccount = Object.values(t.Resources)
    .filter((r) => r.Type === "AWS::IAM::Policy")
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}, 300_000);
afterAll(() => s?.cleanup());

function roleStatements(compute: Template, name: string): Statement[] {
  const roles = compute.findResources("AWS::IAM::Role");
  const roleId = Object.entries(roles).find(([, r]) =>
    joinToString((r as Resource).Properties.RoleName).startsWith(`drs-orchestration-prod-${name}-`),
  )?.[0];
  if (!roleId) throw new Error(`no role for ${name}`);
  return (Object.values(compute.findResources("AWS::IAM::Policy")) as Resource[])
    .filter((p) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === roleId))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

const matches = (granted: string, action: string) =>
  new RegExp(`^${granted.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*")}$`, "i").test(action);
const grants = (statements: Statement[], action: string) =>
  statements.some((st) => st.Effect === "Allow" && list(st.Action).some((g) => matches(g, action)));
const statementsFor = (statements: Statement[], action: string) =>
  statements.filter((st) => st.Effect === "Allow" && list(st.Action).some((g) => matches(g, action)));

/** What each command needs, or why it needs nothing; undefined = not in the table. */
function needs(command: string): readonly string[] | undefined {
  if (CREDENTIAL_CHAIN_ONLY.includes(command)) return [];
  return SDK_COMMAND_PERMISSIONS[command]?.actions;
}

describe("IAM coverage: every SDK command a bundle can send is granted", () => {
  it("derives the commands from the bundles (esbuild metafile)", () => {
    for (const name of names) {
      console.log(`${name}: ${bundles[name].length} SDK commands: ${bundles[name].join(", ")}`);
      expect(bundles[name].length).toBeGreaterThan(0);
    }
    // The derivation sees what the engine does: the step bundle sends SSM run-command status reads.
    expect(bundles.step).toContain("client-ssm/ListCommands");
    expect(bundles.step).toContain("client-drs/StartRecovery");
  });

  it("maps every command to IAM actions with a Service Authorization Reference citation", () => {
    const unmapped = names.flatMap((n) =>
      bundles[n].filter((c) => needs(c) === undefined).map((c) => `${n}: ${c}`),
    );
    expect(unmapped, "commands missing from iam-table.ts").toEqual([]);
    for (const [command, p] of Object.entries(SDK_COMMAND_PERMISSIONS)) {
      expect(p.ref, command).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
      if (p.actions.length === 0) expect(p.note, `${command} maps to no action: say why`).toBeTruthy();
      if (command.startsWith("lib-dynamodb/")) {
        const base = `client-dynamodb/${p.note?.replace("wraps client-dynamodb/", "")}`;
        for (const n of names)
          if (bundles[n].includes(command))
            expect(bundles[n], `${n}: ${command} wraps ${base}`).toContain(base);
      }
    }
  });

  it("grants each function's role every action its bundle's commands need (except documented not-sent ones)", () => {
    const ungranted: string[] = [];
    for (const name of names) {
      const statements = roleStatements(s.nested.Compute, name);
      const notSent = NOT_SENT_BY[name] ?? {};
      for (const command of bundles[name]) {
        if (command in notSent) continue;
        for (const action of needs(command) ?? [])
          if (!grants(statements, action)) ungranted.push(`${name}: ${command} needs ${action}`);
      }
    }
    expect(ungranted).toEqual([]);
  });

  it("keeps the not-sent list honest: each entry is in the bundle and really not granted", () => {
    for (const [name, entries] of Object.entries(NOT_SENT_BY)) {
      const statements = roleStatements(s.nested.Compute, name);
      for (const command of Object.keys(entries)) {
        expect(bundles[name as LambdaName], `${name}: stale entry ${command}`).toContain(command);
        const actions = needs(command) ?? [];
        expect(
          actions.filter((a) => grants(statements, a)),
          `${name}: ${command} is granted, drop it from NOT_SENT_BY`,
        ).toEqual([]);
      }
    }
  });

  it("grants the cross-account role every action of the commands sent with target-account credentials", () => {
    const targetCommands = new Set(
      names.flatMap((n) =>
        bundles[n].filter(
          (c) =>
            TARGET_ACCOUNT_CLIENTS.some((client) => c.startsWith(`${client}/`)) &&
            !(c in (NOT_SENT_BY[n] ?? {})),
        ),
      ),
    );
    expect(targetCommands.size).toBeGreaterThan(10);
    const ungranted = [...targetCommands].flatMap((c) =>
      (needs(c) ?? []).filter((a) => !grants(crossAccount, a)).map((a) => `${c} needs ${a}`),
    );
    expect(ungranted).toEqual([]);
  });
});

/** The DRS dependent-action statements, checked on both principals that call drs:StartRecovery. */
function expectDrsDependents(statements: Statement[], who: string) {
  const calledViaDrs = (st: Statement) =>
    JSON.stringify(st.Condition?.["ForAnyValue:StringEquals"]?.["aws:CalledVia"] ?? null).includes(
      "drs.amazonaws.com",
    );
  for (const action of [...DRS_DEPENDENT_ACTIONS.read, ...DRS_DEPENDENT_ACTIONS.create]) {
    const found = statementsFor(statements, action);
    expect(found.length, `${who}: ${action} granted`).toBeGreaterThan(0);
    expect(found.every(calledViaDrs), `${who}: ${action} only via DRS (aws:CalledVia)`).toBe(true);
  }
  for (const action of DRS_DEPENDENT_ACTIONS.managed) {
    const found = statementsFor(statements, action);
    expect(found.length, `${who}: ${action} granted`).toBeGreaterThan(0);
    for (const st of found) {
      expect(calledViaDrs(st), `${who}: ${action} only via DRS`).toBe(true);
      expect(
        st.Condition?.StringEquals?.[`aws:ResourceTag/${DRS_MANAGED_TAG}`],
        `${who}: ${action} only on DRS-managed resources`,
      ).toBe("drs.amazonaws.com");
    }
  }
  const passRole = statementsFor(statements, "iam:PassRole");
  expect(passRole.length, `${who}: iam:PassRole granted`).toBeGreaterThan(0);
  for (const st of passRole) {
    const targets = list(st.Resource).map(joinToString);
    expect(targets.length).toBe(DRS_SERVICE_ROLE_NAMES.length);
    for (const t of targets)
      expect(
        DRS_SERVICE_ROLE_NAMES.some((r) => t.endsWith(`:role/service-role/${r}`)),
        `${who}: PassRole to ${t}`,
      ).toBe(true);
    expect(st.Condition?.StringEquals?.["iam:PassedToService"], `${who}: iam:PassedToService`).toBe(
      "ec2.amazonaws.com",
    );
  }
  // No EC2 action anywhere without the DRS condition: the orchestrator's code never calls EC2 itself.
  const ec2 = statements.filter((st) => list(st.Action).some((a) => a.startsWith("ec2:")));
  expect(ec2.filter((st) => !calledViaDrs(st)).map((st) => st.Sid)).toEqual([]);
}

describe("DRS's dependent actions (forward access sessions)", () => {
  it("the step function's role has them, conditioned on DRS and tag-scoped where destructive", () => {
    expectDrsDependents(roleStatements(s.nested.Compute, "step"), "step role");
  });
  it("the cross-account role has them, conditioned on DRS and tag-scoped where destructive", () => {
    expectDrsDependents(crossAccount, "cross-account role");
  });
  it("the API cannot launch; it terminates recovery instances only through DRS, only DRS-managed ones", () => {
    const api = roleStatements(s.nested.Compute, "api");
    for (const action of ["drs:StartRecovery", "iam:PassRole", "ec2:RunInstances", "ec2:AttachVolume"])
      expect(grants(api, action), action).toBe(false);
    for (const action of ["drs:TerminateRecoveryInstances", "ec2:TerminateInstances", "ec2:DeleteVolume"])
      expect(grants(api, action), action).toBe(true);
    for (const st of statementsFor(api, "ec2:TerminateInstances"))
      expect(st.Condition?.StringEquals?.[`aws:ResourceTag/${DRS_MANAGED_TAG}`]).toBe("drs.amazonaws.com");
  });
});
