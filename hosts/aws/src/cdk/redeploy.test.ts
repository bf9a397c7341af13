import type { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SynthesizedApp, synthesizeApp } from "../testing/synth.js";

type Resource = {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
};

let s: SynthesizedApp;
let all: Array<[string, Resource]>;
beforeAll(() => {
  s = synthesizeApp();
  all = Object.values(s.nested as Record<string, Template>).flatMap((t) =>
    Object.entries((t.toJSON().Resources ?? {}) as Record<string, Resource>),
  );
}, 240_000);
afterAll(() => s?.cleanup());

const ofType = (type: string) => all.filter(([, r]) => r.Type === type);
const mentionsRegion = (value: unknown) => JSON.stringify(value).includes('"AWS::Region"');

/** Physical-name properties of resource types whose names are unique per account (not per region). */
const GLOBAL_NAMES: Record<string, string> = {
  "AWS::IAM::Role": "RoleName",
  "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
  "AWS::IAM::InstanceProfile": "InstanceProfileName",
  "AWS::CloudWatch::Dashboard": "DashboardName",
  "AWS::S3::Bucket": "BucketName",
  "AWS::CloudFront::Function": "Name",
};

describe("a failed first deploy can be retried, a redeploy after cdk destroy works", () => {
  it("retains the tables (data outlives the stack) under generated names, so a retained table never blocks a new one", () => {
    const tables = ofType("AWS::DynamoDB::Table");
    expect(tables.length).toBeGreaterThan(0);
    for (const [id, t] of tables) {
      expect(t.Properties?.TableName, `${id}: generated name`).toBeUndefined();
      expect(t.DeletionPolicy, id).toBe("Retain");
      expect(t.UpdateReplacePolicy, id).toBe("Retain");
      expect(t.Properties?.DeletionProtectionEnabled, id).toBe(true);
    }
  });

  it("keeps log groups on update and delete but removes them when the first create rolls back; no fixed names", () => {
    const groups = ofType("AWS::Logs::LogGroup");
    expect(groups.length).toBeGreaterThanOrEqual(6);
    for (const [id, g] of groups) {
      expect(g.Properties?.LogGroupName, `${id}: generated name`).toBeUndefined();
      expect(g.DeletionPolicy, id).toBe("RetainExceptOnCreate");
    }
  });

  it("gives nothing retained a fixed physical name", () => {
    const fixed = all
      .filter(([, r]) => r.DeletionPolicy === "Retain" || r.DeletionPolicy === "RetainExceptOnCreate")
      .flatMap(([id, r]) =>
        ["TableName", "LogGroupName", "BucketName", "Name", "UserPoolName"]
          .filter((k) => typeof r.Properties?.[k] === "string")
          .map((k) => `${id} ${r.Type} ${k}=${String(r.Properties?.[k])}`),
      );
    // The user pool's name is not unique in AWS (pools are addressed by ID): a retained pool blocks nothing.
    expect(fixed.filter((f) => !f.includes("AWS::Cognito::UserPool"))).toEqual([]);
  });
});

describe("the same environment name in two regions", () => {
  it("names every account-global resource with the region", () => {
    const clashes = all.flatMap(([id, r]) => {
      const prop = GLOBAL_NAMES[r.Type];
      const name = prop ? r.Properties?.[prop] : undefined;
      return name !== undefined && !mentionsRegion(name) ? [`${id} ${r.Type} ${JSON.stringify(name)}`] : [];
    });
    expect(clashes).toEqual([]);
    // And the ones that are named at all do carry the region (roles: the cross-account trust matches the prefix).
    const roles = ofType("AWS::IAM::Role").filter(([, r]) => r.Properties?.RoleName !== undefined);
    expect(roles.length).toBeGreaterThanOrEqual(4);
  });
});
