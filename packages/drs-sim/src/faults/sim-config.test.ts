import { describe, expect, it } from "vitest";
import { configProblems, defaultConfig, launchKnob, mergeConfig, protocolKnob } from "./sim-config.js";

describe("SimConfig", () => {
  it("rejects unknown knobs and bad values with one message each", () => {
    expect(configProblems({ throttleProbability: 0.5, pageSize: 10 })).toEqual([]);
    expect(configProblems({ nope: 1 })).toEqual(["unknown knob 'nope'"]);
    expect(configProblems({ throttleProbability: 2 })[0]).toMatch(/throttleProbability/);
    expect(configProblems({ failurePhase: "boot" })[0]).toMatch(/one of/);
    expect(configProblems({ servers: { "s-1": { launchFailureRate: "x" } } })[0]).toMatch(
      /s-1: launchFailureRate/,
    );
    expect(configProblems({ conversionDelay: { dist: "normal" } })[0]).toMatch(/conversionDelay/);
    expect(configProblems({ retryAfter: 1.5 })[0]).toMatch(/integer/);
    expect(configProblems([])).toEqual(["config must be a JSON object"]);
  });

  it("merges records by key, removes with null, merges quotas field by field, resets timings with null", () => {
    let config = mergeConfig(defaultConfig(), {
      servers: { a: { stuck: true }, b: { noSnapshots: true } },
      quotas: { concurrentJobs: 5 },
      conversionDelay: { dist: "fixed", ms: 1 },
    });
    config = mergeConfig(config, {
      servers: { a: null, b: { lagSeconds: 3 } },
      quotas: { serversPerJob: 10 },
      conversionDelay: null,
    });
    expect(config.servers).toEqual({ b: { noSnapshots: true, lagSeconds: 3 } });
    expect(config.quotas).toMatchObject({ concurrentJobs: 5, serversPerJob: 10, serversInAllJobs: 500 });
    expect(config.conversionDelay).toBeUndefined();
  });

  it("resolves the most specific knob", () => {
    const config = mergeConfig(defaultConfig(), {
      internalErrorProbability: 0.1,
      operations: {
        "*": { internalErrorProbability: 0.2 },
        StartRecovery: { internalErrorProbability: 0.3 },
      },
      launchFailureRate: 0.1,
      servers: { s: { launchFailureRate: 0.2 } },
      jobs: { j: { launchFailureRate: 0.3 } },
    });
    expect(protocolKnob(config, "StartRecovery", "internalErrorProbability")).toBe(0.3);
    expect(protocolKnob(config, "DescribeJobs", "internalErrorProbability")).toBe(0.2);
    expect(launchKnob(config, "j", "s", "launchFailureRate")).toBe(0.3);
    expect(launchKnob(config, "other", "s", "launchFailureRate")).toBe(0.2);
    expect(launchKnob(config, "other", "t", "launchFailureRate")).toBe(0.1);
  });
});
