import { describe, expect, it } from "vitest";
import { accountFor, credentialsFor, parseAuthorization } from "./sigv4-scope.js";

describe("SigV4 credential scope", () => {
  it("reads the access key and region", () => {
    expect(
      parseAuthorization(
        "AWS4-HMAC-SHA256 Credential=AKIASIM111122223333/20260101/us-west-2/drs/aws4_request, SignedHeaders=host, Signature=abc",
      ),
    ).toEqual({ accessKeyId: "AKIASIM111122223333", region: "us-west-2" });
    expect(parseAuthorization(undefined)).toEqual({});
    expect(parseAuthorization("Bearer x")).toEqual({});
  });

  it("maps keys to accounts: explicit, trailing 12 digits, default", () => {
    expect(accountFor("AKIDTEST", { AKIDTEST: "999988887777" }, "123456789012")).toBe("999988887777");
    expect(accountFor("AKIASIM111122223333", {}, "123456789012")).toBe("111122223333");
    expect(accountFor("AKIAEXAMPLE", {}, "123456789012")).toBe("123456789012");
    expect(accountFor(undefined, {}, "123456789012")).toBe("123456789012");
  });

  it("builds credentials for an account", () => {
    expect(credentialsFor("444455556666")).toEqual({
      accessKeyId: "AKIASIM444455556666",
      secretAccessKey: "sim",
    });
    expect(() => credentialsFor("123")).toThrow(RangeError);
  });
});
