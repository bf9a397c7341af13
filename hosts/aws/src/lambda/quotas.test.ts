import { DEFAULT_SETTINGS, type Execution } from "@drso/core";
import { describe, expect, it } from "vitest";
import { quotaAwareSettings } from "./quotas.js";

const execution = {
  snapshot: {
    groups: [
      { accountId: "111122223333", region: "us-east-1" },
      { accountId: "111122223333", region: "us-east-1" },
      { accountId: "444455556666", region: "us-west-2" },
    ],
  },
} as unknown as Execution;

describe("DRS quotas from Service Quotas", () => {
  it("takes the lowest of the settings and every target's quota, reading each target once", async () => {
    const asked: string[] = [];
    const adjust = quotaAwareSettings(async (t) => {
      asked.push(`${t.accountId}/${t.region}`);
      return t.region === "us-east-1" ? { serversPerJob: 50, concurrentJobs: 40 } : { serversInAllJobs: 300 };
    });
    const settings = await adjust(execution, DEFAULT_SETTINGS);
    expect(asked).toEqual(["111122223333/us-east-1", "444455556666/us-west-2"]);
    // Settings can lower a quota (concurrentJobs 20 < 40) but never raise it above AWS's.
    expect(settings.quotas).toEqual({ serversPerJob: 50, concurrentJobs: 20, serversInAllJobs: 300 });
    expect(settings.pollIntervalSeconds).toBe(DEFAULT_SETTINGS.pollIntervalSeconds);
  });

  it("keeps the settings when a quota cannot be read", async () => {
    const adjust = quotaAwareSettings(async () => {
      throw new Error("AccessDenied");
    });
    expect((await adjust(execution, DEFAULT_SETTINGS)).quotas).toEqual(DEFAULT_SETTINGS.quotas);
  });
});
