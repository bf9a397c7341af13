import { describe, expect, it } from "vitest";
import { readParameters } from "./parameters.js";

const read = (context: Record<string, unknown>) => readParameters((key) => context[key]);

describe("deployment parameters (CDK context)", () => {
  it("has secure defaults", () => {
    expect(read({})).toMatchObject({
      environment: "prod",
      wafEnabled: true,
      frontend: true,
      mfa: "optional",
      retentionDays: 365,
      corsOrigins: [],
      crossAccountRoleName: "DRSOrchestrationRole",
    });
  });

  it("reads strings from the command line (-c key=value)", () => {
    expect(
      read({
        environment: "dr-test",
        wafEnabled: "false",
        frontend: "false",
        retentionDays: "90",
        corsOrigins: "https://a.example.com, https://b.example.com",
      }),
    ).toMatchObject({
      environment: "dr-test",
      wafEnabled: false,
      frontend: false,
      retentionDays: 90,
      corsOrigins: ["https://a.example.com", "https://b.example.com"],
    });
  });

  it("names every bad value", () => {
    expect(() => read({ environment: "Prod_1", retentionDays: 42, adminEmail: "nope" })).toThrow(
      /-c environment:[\s\S]*-c adminEmail:[\s\S]*-c retentionDays:/,
    );
    expect(() => read({ domainName: "dr.example.com" })).toThrow(
      /certificateArn: domainName and certificateArn go together/,
    );
    expect(() =>
      read({
        domainName: "dr.example.com",
        certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
      }),
    ).toThrow(/an ACM certificate ARN in us-east-1/);
  });
});
