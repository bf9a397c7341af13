import { describe, expect, it } from "vitest";
import { route } from "./router.js";

describe("routing", () => {
  it("maps POST /<Operation> and the tag routes", () => {
    expect(route("POST", "/StartRecovery")).toMatchObject({
      kind: "operation",
      op: { name: "StartRecovery" },
    });
    const arn = "arn:aws:drs:us-east-1:123456789012:source-server/s-1234567890abcdef0";
    const encoded = `/tags/${encodeURIComponent(arn)}`;
    expect(route("GET", encoded)).toMatchObject({ op: { name: "ListTagsForResource" }, resourceArn: arn });
    expect(route("POST", encoded)).toMatchObject({ op: { name: "TagResource" }, resourceArn: arn });
    expect(route("DELETE", encoded)).toMatchObject({ op: { name: "UntagResource" }, resourceArn: arn });
  });

  it("does not route tag operations by name, unknown paths, or wrong methods", () => {
    for (const [method, path] of [
      ["POST", "/TagResource"],
      ["POST", "/Nope"],
      ["GET", "/DescribeJobs"],
      ["POST", "/tags/a/b"],
      ["PATCH", "/tags/x"],
    ]) {
      expect(route(method as string, path as string).kind).toBe("unknown");
    }
    expect(route("GET", "/tags/%E0%A4%A").kind).toBe("badArn");
  });

  it("answers out-of-scope operations as not simulated", () => {
    expect(route("GET", "/ListStagingAccounts")).toEqual({
      kind: "notSimulated",
      name: "ListStagingAccounts",
    });
    expect(route("POST", "/PutLaunchAction")).toEqual({ kind: "notSimulated", name: "PutLaunchAction" });
  });
});
