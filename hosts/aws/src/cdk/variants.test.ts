import { App, Stack } from "aws-cdk-lib";
import { Match } from "aws-cdk-lib/assertions";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as s3 from "aws-cdk-lib/aws-s3";
import { afterAll, describe, expect, it } from "vitest";
import { type SynthesizedApp, synthesizeApp } from "../testing/synth.js";
import { createDrsoApp, MissingWebBuildError } from "./drso-app.js";
import { addNagChecks } from "./nag.js";

const cleanups: Array<() => void> = [];
afterAll(() => {
  for (const c of cleanups) c();
});
function synth(context: Record<string, unknown>): SynthesizedApp {
  const s = synthesizeApp(context);
  cleanups.push(s.cleanup);
  return s;
}

describe("deployment variants", () => {
  it("API-only, without WAF, MFA required, CORS for a browser origin: still nag-clean", () => {
    const s = synth({
      frontend: false,
      wafEnabled: false,
      mfa: "required",
      corsOrigins: "https://ops.example.com",
    });
    expect(s.nested.Frontend).toBeUndefined();
    expect(Object.keys(s.nested)).toHaveLength(6);
    expect(Object.keys(s.root.toJSON().Outputs as object)).not.toContain("WebUrl");
    expect(s.nested.Api.findResources("AWS::WAFv2::WebACL")).toEqual({});
    s.nested.Security.hasResourceProperties("AWS::Cognito::UserPool", { MfaConfiguration: "ON" });
    // CORS preflight methods answer without a token; everything else still needs one.
    const options = Object.values(s.nested.Api.findResources("AWS::ApiGateway::Method")).filter(
      (m) => (m as { Properties: { HttpMethod: string } }).Properties.HttpMethod === "OPTIONS",
    );
    expect(options.length).toBeGreaterThan(0);
    expect(JSON.stringify(options)).toContain("https://ops.example.com");
    expect(s.report.pluginReports.flatMap((r) => r.violations ?? [])).toEqual([]);
    expect(s.acknowledged.map((a) => a.id)).toContain("AwsSolutions-APIG3");
    expect(s.acknowledged.map((a) => a.id)).not.toContain("AwsSolutions-COG2");
  }, 240_000);

  it("with a custom domain: the certificate, the alias and TLS 1.2 (2021) for viewers", () => {
    const s = synth({
      environment: "dr",
      domainName: "dr.example.com",
      certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789",
    });
    s.nested.Frontend.hasResourceProperties("AWS::CloudFront::Distribution", {
      DistributionConfig: {
        Aliases: ["dr.example.com"],
        ViewerCertificate: {
          AcmCertificateArn:
            "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789",
          MinimumProtocolVersion: "TLSv1.2_2021",
          SslSupportMethod: "sni-only",
        },
      },
    });
    // The environment name reaches the functions (table names are generated: they get DRSO_TABLES).
    s.nested.Compute.hasResourceProperties("AWS::Lambda::Function", {
      FunctionName: "drs-orchestration-dr-step",
      Environment: { Variables: Match.objectLike({ DRSO_ENVIRONMENT: "dr", DRSO_TABLES: Match.anyValue() }) },
    });
    expect(s.acknowledged.map((a) => a.id)).not.toContain("AwsSolutions-CFR4");
  }, 240_000);

  it("refuses to synthesize the frontend without a web build, and says what to do", () => {
    expect(() =>
      createDrsoApp({
        context: { webDistDir: "/nonexistent/web/dist" },
        code: () => lambda.Code.fromInline("export const handler = async () => ({});"),
      }),
    ).toThrow(MissingWebBuildError);
    expect(() =>
      createDrsoApp({
        context: { webDistDir: "/nonexistent/web/dist" },
        code: () => lambda.Code.fromInline("export const handler = async () => ({});"),
      }),
    ).toThrow(/npm run build -w @drso\/web[\s\S]*-c frontend=false/);
  });

  it("cdk-nag fails the synth on an unacknowledged finding (the check is live)", () => {
    const app = new App();
    addNagChecks(app);
    const stack = new Stack(app, "Careless");
    new s3.Bucket(stack, "Open", { enforceSSL: false });
    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
  });
});
