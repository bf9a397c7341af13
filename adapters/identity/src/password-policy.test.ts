import { ValidationError } from "@drso/core";
import { describe, expect, it } from "vitest";
import { assertPasswordPolicy, generatePassword } from "./password-policy.js";

describe("password policy (seed: 8+ characters, upper, lower, digit; symbols optional)", () => {
  it("accepts compliant passwords, with or without symbols", () => {
    expect(() => assertPasswordPolicy("Abcdefg1")).not.toThrow();
    expect(() => assertPasswordPolicy("Correct-Horse-9")).not.toThrow();
  });

  it.each([
    ["Abcde1", "at least 8 characters"],
    ["abcdefg1", "upper-case"],
    ["ABCDEFG1", "lower-case"],
    ["Abcdefgh", "digit"],
  ])("rejects %s naming the problem (%s)", (password, problem) => {
    let error: unknown;
    try {
      assertPasswordPolicy(password);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toContain(problem);
    expect((error as ValidationError).issues[0]).toMatchObject({ path: "password" });
  });

  it("names every broken rule", () => {
    expect(() => assertPasswordPolicy("abc")).toThrow(/at least 8 characters.*upper-case.*digit/);
  });

  it("generates passwords that satisfy the policy", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const password = generatePassword();
      expect(password).toHaveLength(20);
      expect(() => assertPasswordPolicy(password)).not.toThrow();
      seen.add(password);
    }
    expect(seen.size).toBe(200);
  });
});
