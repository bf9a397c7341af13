import { ManualClock } from "@drso/clock";
import { createMemoryStore } from "@drso/store";
import { describe, expect, it } from "vitest";
import { createSweeperLambda } from "./sweeper-lambda.js";

describe("sweeper Lambda: plan readiness", () => {
  it("asks for a readiness sweep within its time budget after kicking workflows, and survives its failure", async () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 4));
    const asked: Array<number | undefined> = [];
    const errors: string[] = [];
    const sweep = createSweeperLambda({
      store: createMemoryStore(),
      clock,
      workflows: { kick: async () => {} },
      readinessBudgetMs: 60_000,
      readiness: {
        sweepIfDue: async (options) => {
          asked.push(options?.untilMs);
          if (asked.length === 2) throw new Error("DRS unreachable");
          return true;
        },
      },
      telemetry: {
        debug: () => {},
        info: () => {},
        warn: () => {},
        error: (message: string) => void errors.push(message),
        count: () => {},
      },
    });
    expect(await sweep()).toEqual({ checked: 0, failed: 0, readiness: true });
    expect(asked).toEqual([clock.now() + 60_000]);
    expect(await sweep()).toEqual({ checked: 0, failed: 0, readiness: false });
    expect(errors).toEqual(["readiness sweep failed"]);
  });
});
