import { describe, expect, it } from "vitest";
import { parseRuntimeConfig } from "./config.js";

describe("runtime configuration (aws-config.json)", () => {
  it("accepts the local server's document", () => {
    expect(parseRuntimeConfig({ apiUrl: "/api/", auth: { mode: "local" }, version: 1 })).toEqual({
      apiUrl: "/api",
      auth: { mode: "local" },
      version: 1,
    });
  });
  it("accepts Cognito and names a missing field", () => {
    expect(
      parseRuntimeConfig({
        apiUrl: "https://api.example.com",
        auth: { mode: "cognito", userPoolId: "us-east-1_abc", clientId: "c", region: "us-east-1" },
      }).auth.mode,
    ).toBe("cognito");
    expect(() =>
      parseRuntimeConfig({ apiUrl: "/api", auth: { mode: "cognito", userPoolId: "p", region: "r" } }),
    ).toThrow("auth.clientId");
    expect(() => parseRuntimeConfig({ auth: { mode: "local" } })).toThrow("apiUrl");
    expect(() => parseRuntimeConfig({ apiUrl: "/api", auth: { mode: "saml" } })).toThrow("auth.mode");
  });
});
