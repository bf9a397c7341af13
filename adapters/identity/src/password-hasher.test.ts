import { describe, expect, it } from "vitest";
import { createScryptHasher, DEFAULT_SCRYPT_PARAMETERS } from "./password-hasher.js";

describe("scrypt password hasher", () => {
  const hasher = createScryptHasher({ N: 1024 });

  it("encodes algorithm, parameters, a 16-byte salt and the key in the hash", async () => {
    const hash = await hasher.hash("Secret123");
    const [alg, n, r, p, salt, key] = hash.split("$");
    expect([alg, n, r, p]).toEqual(["scrypt", "1024", "8", "1"]);
    expect(Buffer.from(salt ?? "", "base64url")).toHaveLength(16);
    expect(Buffer.from(key ?? "", "base64url")).toHaveLength(32);
    expect(hash).not.toContain("Secret123");
  });

  it("verifies the right password and refuses a wrong one", async () => {
    const hash = await hasher.hash("Secret123");
    expect(await hasher.verify("Secret123", hash)).toBe(true);
    expect(await hasher.verify("Secret124", hash)).toBe(false);
    expect(await hasher.verify("secret123", hash)).toBe(false);
    expect(await hasher.verify("", hash)).toBe(false);
  });

  it("salts every hash", async () => {
    const [a, b] = await Promise.all([hasher.hash("Secret123"), hasher.hash("Secret123")]);
    expect(a).not.toBe(b);
    expect(await hasher.verify("Secret123", a)).toBe(true);
    expect(await hasher.verify("Secret123", b)).toBe(true);
  });

  it("verifies hashes made with other parameters and asks for a re-hash", async () => {
    const old = await createScryptHasher({ N: 2048 }).hash("Secret123");
    expect(await hasher.verify("Secret123", old)).toBe(true);
    expect(hasher.needsRehash(old)).toBe(true);
    expect(hasher.needsRehash(await hasher.hash("Secret123"))).toBe(false);
  });

  it("treats malformed or abusive hashes as a mismatch without throwing", async () => {
    const good = await hasher.hash("Secret123");
    const [, , r, p, salt, key] = good.split("$");
    for (const bad of [
      "",
      "plaintext",
      "bcrypt$2b$10$abc",
      good.replace(/^scrypt/, "scrypt2"),
      ["scrypt", "1000", r, p, salt, key].join("$"), // N not a power of two
      ["scrypt", String(1 << 24), r, p, salt, key].join("$"), // N too large: memory exhaustion
      ["scrypt", "1024", "1000", p, salt, key].join("$"),
      ["scrypt", "1024", r, p, "", key].join("$"),
      `${good}$extra`,
    ]) {
      expect(await hasher.verify("Secret123", bad), bad).toBe(false);
      expect(hasher.needsRehash(bad)).toBe(true);
    }
  });

  it("uses N=2^14, r=8, p=1 by default and those parameters work", async () => {
    expect(DEFAULT_SCRYPT_PARAMETERS).toEqual({ N: 16384, r: 8, p: 1, keyLength: 32 });
    const hasherWithDefaults = createScryptHasher();
    const hash = await hasherWithDefaults.hash("Secret123");
    expect(hash.startsWith("scrypt$16384$8$1$")).toBe(true);
    expect(await hasherWithDefaults.verify("Secret123", hash)).toBe(true);
  });

  it("refuses a cost parameter that is not a power of two", () => {
    expect(() => createScryptHasher({ N: 1000 })).toThrow(RangeError);
  });
});
