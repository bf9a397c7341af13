import { describe, expect, it } from "vitest";
import { OPERATIONS } from "./operations.js";
import { validate } from "./validation.js";

describe("request validation against the model constraints", () => {
  const startRecovery = OPERATIONS.StartRecovery.input;

  it("accepts a valid request and ignores unknown members", () => {
    expect(
      validate(
        { sourceServers: [{ sourceServerID: "s-0123456789abcdef0" }], isDrill: true, tags: {}, extra: 1 },
        startRecovery,
      ),
    ).toEqual([]);
  });

  it("reports required members, types, lengths, patterns, enums and list sizes with dotted names", () => {
    expect(validate({}, startRecovery)).toEqual([{ name: "sourceServers", message: "Required" }]);
    expect(validate({ sourceServers: [] }, startRecovery)[0]?.message).toMatch(/at least 1/);
    expect(validate({ sourceServers: [{ sourceServerID: "s-0123456789abcdef" }] }, startRecovery)[0]).toEqual(
      {
        name: "sourceServers.0.sourceServerID",
        message: "Must be at least 19 characters long",
      },
    );
    expect(
      validate({ sourceServers: [{ sourceServerID: "s-0123456789abcdef!" }] }, startRecovery)[0]?.message,
    ).toMatch(/pattern/);
    expect(
      validate(
        { sourceServers: [{ sourceServerID: "s-0123456789abcdef0", recoverySnapshotID: "pit-1" }] },
        startRecovery,
      )[0]?.name,
    ).toBe("sourceServers.0.recoverySnapshotID");
    expect(
      validate(
        { order: "SIDEWAYS", sourceServerID: "s-0123456789abcdef0" },
        OPERATIONS.DescribeRecoverySnapshots.input,
      )[0]?.name,
    ).toBe("order");
    expect(validate({ maxResults: 0 }, OPERATIONS.DescribeJobs.input)[0]?.name).toBe("maxResults");
    expect(validate({ tags: { ["k".repeat(257)]: "v" } }, OPERATIONS.TagResource.input)[0]?.message).toMatch(
      /256/,
    );
  });

  it("accepts both timestamp styles in date filters", () => {
    const schema = OPERATIONS.DescribeJobs.input;
    expect(validate({ filters: { fromDate: "2026-01-01T00:00:00Z" } }, schema)).toEqual([]);
    expect(validate({ filters: { fromDate: "2026-01-01T00:00:00.123456+00:00" } }, schema)).toEqual([]);
    expect(validate({ filters: { fromDate: "2026-13-01T00:00:00Z" } }, schema)).toHaveLength(1);
  });

  it("stops after 20 problems", () => {
    const many = Array.from({ length: 100 }, () => ({ sourceServerID: 1 }));
    expect(validate({ sourceServers: many }, startRecovery).length).toBeLessThanOrEqual(20);
  });
});
