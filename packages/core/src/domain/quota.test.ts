import { describe, expect, it } from "vitest";
import { grownKeys, quotaExceededError, quotaExcess } from "./quota.js";

const A = "111122223333/us-east-1";
const B = "444455556666/us-east-1";
const limits = { concurrentJobs: 2, serversInAllJobs: 10 };

describe("quota accounting across executions", () => {
  it("finds the account/regions where a save grows jobs or servers", () => {
    expect(
      grownKeys(
        { [A]: { jobs: 1, servers: 3 } },
        { [A]: { jobs: 1, servers: 4 }, [B]: { jobs: 1, servers: 1 } },
      ),
    ).toEqual([A, B]);
    expect(grownKeys({ [A]: { jobs: 2, servers: 3 } }, { [A]: { jobs: 1, servers: 3 } })).toEqual([]);
  });

  it("refuses growth beyond what the others leave, per limit, and never a save that does not grow", () => {
    const others = [{ [A]: { jobs: 1, servers: 2 } }, { [B]: { jobs: 2, servers: 2 } }];
    expect(quotaExcess({}, { [A]: { jobs: 1, servers: 3 } }, others, limits)).toBeUndefined();
    expect(quotaExcess({}, { [A]: { jobs: 2, servers: 3 } }, others, limits)).toMatchObject({
      key: A,
      jobs: 3,
    });
    expect(quotaExcess({}, { [A]: { jobs: 1, servers: 9 } }, others, limits)).toMatchObject({ servers: 11 });
    // Already over (limits lowered): winding down passes.
    const over = { [A]: { jobs: 3, servers: 3 } };
    expect(quotaExcess(over, { [A]: { jobs: 2, servers: 3 } }, others, limits)).toBeUndefined();
  });

  it("names the account, region, usage and limits in a 409 QUOTA_EXCEEDED", () => {
    const error = quotaExceededError({ key: A, jobs: 3, servers: 5, limits });
    expect(error.status).toBe(409);
    expect(error.code).toBe("QUOTA_EXCEEDED");
    expect(error.message).toBe(
      "Launching now would hold 3 DRS jobs and 5 servers in 111122223333 us-east-1; the limits are 2 concurrent jobs and 10 servers in all jobs.",
    );
  });
});
