import type { ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { describe, expect, it } from "vitest";
import { createServiceQuotasReader, DRS_QUOTA_CODES } from "./service-quotas.js";

/**
 * A fake ServiceQuotasClient answering GetServiceQuota / GetAWSDefaultServiceQuota from a table: moto does
 * not implement Service Quotas look-ups, and the reader is a thin adapter over two calls.
 */
class FakeServiceQuotas {
  readonly calls: Array<{ name: string; region: string; account: string; quotaCode: string }> = [];
  constructor(
    private readonly region: string,
    private readonly account: string,
    private readonly answer: (name: string, quotaCode: string) => number | Error | undefined,
  ) {}
  async send(cmd: { constructor: { name: string }; input: { ServiceCode?: string; QuotaCode?: string } }) {
    expect(cmd.input.ServiceCode).toBe("drs");
    const quotaCode = cmd.input.QuotaCode ?? "";
    this.calls.push({ name: cmd.constructor.name, region: this.region, account: this.account, quotaCode });
    const result = this.answer(cmd.constructor.name, quotaCode);
    if (result instanceof Error) throw result;
    return { Quota: result === undefined ? {} : { QuotaCode: quotaCode, Value: result } };
  }
}

const awsError = (name: string) => Object.assign(new Error(name), { name });
const target = { accountId: "111122223333", region: "us-east-1" };

describe("createServiceQuotasReader (fake ServiceQuotasClient: moto has no Service Quotas look-ups)", () => {
  it("reads the three DRS quota codes of the target's account and region", async () => {
    const applied: Record<string, number> = { "L-B827C881": 100, "L-D88FAC3A": 20, "L-05AFA8C6": 750 };
    const clients: FakeServiceQuotas[] = [];
    const read = createServiceQuotasReader({
      clientFor: (region, account) => {
        const client = new FakeServiceQuotas(region, account, (_, code) => applied[code]);
        clients.push(client);
        return client as unknown as ServiceQuotasClient;
      },
    });
    expect(await read(target)).toEqual({ serversPerJob: 100, concurrentJobs: 20, serversInAllJobs: 750 });
    expect(clients).toHaveLength(1);
    expect(clients[0]!.calls.map((c) => [c.name, c.region, c.account, c.quotaCode]).sort()).toEqual(
      Object.values(DRS_QUOTA_CODES)
        .map((code) => ["GetServiceQuotaCommand", "us-east-1", "111122223333", code])
        .sort(),
    );
  });

  it("caches per account/region for an hour (injected clock) and shares a look-up in flight", async () => {
    let clock = 1_000_000;
    let calls = 0;
    const read = createServiceQuotasReader({
      clientFor: (region, account) =>
        new FakeServiceQuotas(region, account, () => {
          calls += 1;
          return 42;
        }) as unknown as ServiceQuotasClient,
      now: () => clock,
    });
    const [a, b] = await Promise.all([read(target), read(target)]);
    expect(a).toEqual(b);
    expect(calls).toBe(3);
    clock += 59 * 60_000;
    await read(target);
    expect(calls).toBe(3);
    await read({ ...target, region: "us-west-2" });
    await read({ ...target, accountId: "444455556666" });
    expect(calls).toBe(9);
    clock += 2 * 60_000;
    await read(target);
    expect(calls).toBe(12);
    // Callers get copies: changing one answer does not change the cache.
    const copy = await read(target);
    copy.serversPerJob = 1;
    expect((await read(target)).serversPerJob).toBe(42);
  });

  it("falls back to AWS's default when the account has no applied value, and leaves undefined what cannot be read", async () => {
    const read = createServiceQuotasReader({
      clientFor: (region, account) =>
        new FakeServiceQuotas(region, account, (name, code) => {
          if (code === "L-B827C881")
            return name === "GetServiceQuotaCommand" ? awsError("NoSuchResourceException") : 200;
          if (code === "L-D88FAC3A") return awsError("AccessDeniedException");
          return awsError("NoSuchResourceException");
        }) as unknown as ServiceQuotasClient,
    });
    expect(await read(target)).toEqual({ serversPerJob: 200 });
  });

  it("access denied everywhere gives no quotas (settings apply) and is remembered; throttling is asked again", async () => {
    let denied = 0;
    const deniedReader = createServiceQuotasReader({
      clientFor: (region, account) =>
        new FakeServiceQuotas(region, account, () => {
          denied += 1;
          return awsError("AccessDeniedException");
        }) as unknown as ServiceQuotasClient,
    });
    expect(await deniedReader(target)).toEqual({});
    expect(await deniedReader(target)).toEqual({});
    expect(denied).toBe(3);

    let throttled = true;
    let asked = 0;
    const flaky = createServiceQuotasReader({
      clientFor: (region, account) =>
        new FakeServiceQuotas(region, account, () => {
          asked += 1;
          return throttled ? awsError("TooManyRequestsException") : 20;
        }) as unknown as ServiceQuotasClient,
    });
    expect(await flaky(target)).toEqual({});
    throttled = false;
    expect(await flaky(target)).toEqual({ serversPerJob: 20, concurrentJobs: 20, serversInAllJobs: 20 });
    expect(asked).toBe(6);
  });
});
