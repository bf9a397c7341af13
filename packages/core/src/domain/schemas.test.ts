import { describe, expect, it } from "vitest";
import { AccountInputSchema } from "./account.js";
import {
  effectiveLaunchSettings,
  matchesSelectionTags,
  ProtectionGroupInputSchema,
  selectServers,
} from "./protection-group.js";
import { normalizeWaves, RecoveryPlanInputSchema } from "./recovery-plan.js";
import { PasswordSchema } from "./user.js";

const pgBase = { name: "Web tier", accountId: "111122223333", region: "us-east-1" };

describe("protection group input", () => {
  it("accepts exactly one selection mode", () => {
    expect(
      ProtectionGroupInputSchema.safeParse({ ...pgBase, sourceServerIds: ["s-1234567890abcdef0"] }).success,
    ).toBe(true);
    expect(
      ProtectionGroupInputSchema.safeParse({ ...pgBase, serverSelectionTags: { Tier: "web" } }).success,
    ).toBe(true);
    const both = ProtectionGroupInputSchema.safeParse({
      ...pgBase,
      sourceServerIds: ["s-1234567890abcdef0"],
      serverSelectionTags: { Tier: "web" },
    });
    expect(both.success).toBe(false);
    expect(ProtectionGroupInputSchema.safeParse(pgBase).success).toBe(false);
  });

  it("rejects unknown fields, bad IDs, duplicates, control characters and oversize names", () => {
    const bad = [
      { ...pgBase, serverSelectionTags: { a: "b" }, extra: 1 },
      { ...pgBase, sourceServerIds: ["i-123"] },
      { ...pgBase, sourceServerIds: ["s-1234567890abcdef0", "s-1234567890abcdef0"] },
      { ...pgBase, name: "bad\u0000name", serverSelectionTags: { a: "b" } },
      { ...pgBase, name: "x".repeat(129), serverSelectionTags: { a: "b" } },
      { ...pgBase, name: " padded", serverSelectionTags: { a: "b" } },
      { ...pgBase, accountId: "12345", serverSelectionTags: { a: "b" } },
      { ...pgBase, region: "Mars-1", serverSelectionTags: { a: "b" } },
      { ...pgBase, serverSelectionTags: {} },
    ];
    for (const input of bad)
      expect(ProtectionGroupInputSchema.safeParse(input).success, JSON.stringify(input)).toBe(false);
  });

  it("matches servers that carry every selected tag", () => {
    expect(matchesSelectionTags({ Tier: "web", App: "orders" }, { Tier: "web" })).toBe(true);
    expect(matchesSelectionTags({ Tier: "web" }, { Tier: "web", App: "orders" })).toBe(false);
    expect(matchesSelectionTags(undefined, { Tier: "web" })).toBe(false);
    expect(matchesSelectionTags({ toString: "x" }, { constructor: "y" })).toBe(false);
    const inventory = [
      { sourceServerId: "s-1", tags: { Tier: "web" } },
      { sourceServerId: "s-2", tags: { Tier: "db" } },
    ];
    expect(
      selectServers({ serverSelectionTags: { Tier: "db" } }, inventory).map((s) => s.sourceServerId),
    ).toEqual(["s-2"]);
    expect(
      selectServers({ sourceServerIds: ["s-1", "s-9"] }, inventory).map((s) => s.sourceServerId),
    ).toEqual(["s-1"]);
  });

  it("overlays per-server launch overrides on group defaults", () => {
    const settings = {
      launchDisposition: "STARTED" as const,
      copyTags: true,
      serverOverrides: { "s-1234567890abcdef0": { launchDisposition: "STOPPED" as const } },
    };
    expect(effectiveLaunchSettings(settings, "s-1234567890abcdef0")).toEqual({
      launchDisposition: "STOPPED",
      copyTags: true,
    });
    expect(effectiveLaunchSettings(settings, "s-000000000000000ff")).toEqual({
      launchDisposition: "STARTED",
      copyTags: true,
    });
  });
});

describe("recovery plan input", () => {
  const group = "5b4c8f5e-8a4b-4c52-9a51-0f4a7e7e2a11";
  it("normalizes waves with generated IDs that avoid client-supplied ones", () => {
    const input = RecoveryPlanInputSchema.parse({
      name: "Orders",
      waves: [
        { name: "db", protectionGroupIds: [group], waveId: "wave-2" },
        { name: "app", protectionGroupIds: [group] },
      ],
    });
    const waves = normalizeWaves(input.waves);
    expect(waves.map((x) => x.waveId)).toEqual(["wave-2", "wave-1"]);
    expect(waves[1]).toMatchObject({
      dependsOn: [],
      pauseBefore: false,
      onFailure: "abort",
      timeoutSeconds: 7200,
      preActions: [],
    });
  });

  it("validates actions by type", () => {
    const plan = (action: unknown) => ({
      name: "p",
      waves: [{ name: "w", protectionGroupIds: [group], preActions: [action] }],
    });
    expect(RecoveryPlanInputSchema.safeParse(plan({ type: "wait", seconds: 30 })).success).toBe(true);
    expect(
      RecoveryPlanInputSchema.safeParse(
        plan({ type: "http", url: "https://app.example.com/health", expectStatus: [200] }),
      ).success,
    ).toBe(true);
    expect(RecoveryPlanInputSchema.safeParse(plan({ type: "http", url: "file:///etc/passwd" })).success).toBe(
      false,
    );
    expect(
      RecoveryPlanInputSchema.safeParse(
        plan({ type: "http", url: "https://x.example", headers: { "X-A": "a\r\nInjected: 1" } }),
      ).success,
    ).toBe(false);
    expect(RecoveryPlanInputSchema.safeParse(plan({ type: "teleport" })).success).toBe(false);
    expect(RecoveryPlanInputSchema.safeParse(plan({ type: "wait", seconds: 0 })).success).toBe(false);
  });
});

describe("accounts and passwords", () => {
  it("validates role ARNs and external IDs", () => {
    const ok = {
      accountId: "111122223333",
      name: "Prod",
      roleArn: "arn:aws:iam::111122223333:role/DRSOrchestrationRole",
      externalId: "drso-ext-1",
      regions: ["us-east-1"],
    };
    expect(AccountInputSchema.safeParse(ok).success).toBe(true);
    expect(AccountInputSchema.safeParse({ ...ok, roleArn: "arn:aws:s3:::bucket" }).success).toBe(false);
    expect(AccountInputSchema.safeParse({ ...ok, regions: [] }).success).toBe(false);
  });

  it("enforces the Cognito password policy", () => {
    expect(PasswordSchema.safeParse("Passw0rdOk").success).toBe(true);
    for (const p of ["short1A", "alllowercase1", "ALLUPPERCASE1", "NoDigitsHere"])
      expect(PasswordSchema.safeParse(p).success).toBe(false);
  });
});
