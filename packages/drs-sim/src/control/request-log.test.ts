import { describe, expect, it } from "vitest";
import { RequestLog, type RequestLogEntry } from "./request-log.js";

function entry(
  log: RequestLog,
  op: string,
  timeMs: number,
  extra: Partial<RequestLogEntry> = {},
): RequestLogEntry {
  return {
    seq: log.nextSeq(),
    time: new Date(timeMs).toISOString(),
    timeMs,
    method: "POST",
    path: `/${op}`,
    operation: op,
    accountId: "123456789012",
    region: "us-east-1",
    status: 200,
    durationMs: 1,
    ...extra,
  };
}

describe("RequestLog", () => {
  it("keeps the newest entries up to its capacity", () => {
    const log = new RequestLog(3);
    for (let i = 0; i < 5; i++) log.add(entry(log, `Op${i}`, i));
    expect(log.all().map((e) => e.operation)).toEqual(["Op2", "Op3", "Op4"]);
    log.resize(2);
    expect(log.all().map((e) => e.operation)).toEqual(["Op3", "Op4"]);
    log.clear();
    expect(log.all()).toEqual([]);
  });

  it("filters by operation, account, region, status, since (sequence or time) and limit", () => {
    const log = new RequestLog(100);
    log.add(entry(log, "StartRecovery", 1_000, { status: 202 }));
    log.add(entry(log, "DescribeJobs", 2_000, { region: "us-west-2" }));
    log.add(entry(log, "StartRecovery", 3_000, { accountId: "111122223333", status: 409 }));
    expect(log.query({ op: "StartRecovery" })).toHaveLength(2);
    expect(log.query({ account: "111122223333" })[0]?.status).toBe(409);
    expect(log.query({ region: "us-west-2" })[0]?.operation).toBe("DescribeJobs");
    expect(log.query({ since: 1 }).map((e) => e.seq)).toEqual([2, 3]);
    expect(log.query({ since: new Date(2_500).toISOString() }).map((e) => e.seq)).toEqual([3]);
    expect(log.query({ status: 202 })).toHaveLength(1);
    expect(log.query({ limit: 1 }).map((e) => e.seq)).toEqual([3]);
  });
});
