import { describe, expect, it } from "vitest";
import { SeededStream } from "../model/seeded-stream.js";
import { ProtocolFaults } from "./protocol-faults.js";
import { defaultConfig, mergeConfig } from "./sim-config.js";

const scope = (now: number, operation = "DescribeJobs") => ({
  operation,
  accountId: "123456789012",
  region: "us-east-1",
  now,
  epochMs: 0,
});

describe("protocol faults", () => {
  it("token bucket: burst, then refill at ratePerSec on the simulator clock, per operation", () => {
    const faults = new ProtocolFaults(new SeededStream(1, "f"));
    const config = mergeConfig(defaultConfig(), { throttle: { DescribeJobs: { ratePerSec: 2, burst: 3 } } });
    const kinds = (now: number, op?: string) => faults.before(config, scope(now, op)).kind;
    expect([kinds(0), kinds(0), kinds(0), kinds(0)]).toEqual(["none", "none", "none", "error"]);
    expect(kinds(0, "DescribeSourceServers")).toBe("none");
    expect(kinds(500)).toBe("none");
    expect(kinds(500)).toBe("error");
    const decision = faults.before(config, scope(500));
    expect(decision.kind === "error" && decision.error.exception).toBe("ThrottlingException");
  });

  it("throttle windows are relative to the simulator start", () => {
    const faults = new ProtocolFaults(new SeededStream(1, "f"));
    const config = mergeConfig(defaultConfig(), { throttleWindows: [{ startMs: 1_000, endMs: 2_000 }] });
    expect(faults.before(config, scope(999)).kind).toBe("none");
    expect(faults.before(config, scope(1_500)).kind).toBe("error");
    expect(faults.before(config, scope(2_000)).kind).toBe("none");
  });

  it("probabilities are reproducible from the seed", () => {
    const config = mergeConfig(defaultConfig(), { internalErrorProbability: 0.3 });
    const run = () => {
      const faults = new ProtocolFaults(new SeededStream(9, "f"));
      return Array.from({ length: 50 }, (_, i) => faults.before(config, scope(i)).kind);
    };
    const first = run();
    expect(run()).toEqual(first);
    const errors = first.filter((k) => k === "error").length;
    expect(errors).toBeGreaterThan(5);
    expect(errors).toBeLessThan(30);
  });

  it("access denied, 503, 502 and after-effect faults", () => {
    const faults = new ProtocolFaults(new SeededStream(1, "f"));
    const denied = mergeConfig(defaultConfig(), { accessDenied: { DescribeJobs: true } });
    const d = faults.before(denied, scope(0));
    expect(d.kind === "error" && d.error.exception).toBe("AccessDeniedException");
    const unavailable = faults.before(
      mergeConfig(defaultConfig(), { serviceUnavailableProbability: 1 }),
      scope(0),
    );
    expect(unavailable).toMatchObject({ kind: "raw", status: 503, body: "" });
    const gateway = faults.before(mergeConfig(defaultConfig(), { badGatewayHtmlProbability: 1 }), scope(0));
    expect(gateway).toMatchObject({ kind: "raw", status: 502, contentType: "text/html" });
    expect(faults.after(mergeConfig(defaultConfig(), { malformedJsonProbability: 1 }), "DescribeJobs")).toBe(
      "malformedJson",
    );
    expect(
      faults.after(
        mergeConfig(defaultConfig(), { connectionResetProbability: 1, connectionResetPhase: "after" }),
        "DescribeJobs",
      ),
    ).toBe("reset");
  });
});
