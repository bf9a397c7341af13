import { randomBytes } from "node:crypto";
import type { RefreshTokenRecord, Store } from "@drso/core";
import { beforeEach, describe, expect, it } from "vitest";
import { H, iso, T0 } from "./fixtures.js";

/**
 * Store contract: refresh tokens.
 *
 * Part of the Store port's behavioural contract (packages/core/src/ports/store.ts); describeStoreContract
 * (../store.contract.ts) runs it against every adapter with a fresh, empty store per test,
 * which `current()` returns. Fixtures and assertion helpers are in ./fixtures.ts.
 */
export function describeRefreshTokenContract(current: () => Store): void {
  describe("refresh tokens", () => {
    let store: Store;
    beforeEach(() => {
      store = current();
    });

    it("put, get, revoke once, revoke all of a user's and purge the expired", async () => {
      const token = (userId: string, expiresAt: number, extra: Partial<RefreshTokenRecord> = {}) => ({
        tokenHash: randomBytes(32).toString("hex"),
        userId,
        issuedAt: iso(T0 - 24 * H),
        expiresAt: iso(expiresAt),
        ...extra,
      });
      const a = token("u1", T0 + 30 * 24 * H, { familyId: "family-1", authTime: iso(T0 - 24 * H) });
      const b = token("u1", T0 + 30 * 24 * H);
      const expired = token("u2", T0 - H);
      const alreadyRevoked = token("u1", T0 + H, { revokedAt: iso(T0 - 2 * H) });
      for (const t of [a, b, expired, alreadyRevoked]) await store.refreshTokens.put(t);
      expect(await store.refreshTokens.get(a.tokenHash)).toEqual(a);
      expect(await store.refreshTokens.get(alreadyRevoked.tokenHash)).toEqual(alreadyRevoked);
      expect(await store.refreshTokens.get("missing")).toBeUndefined();
      expect(await store.refreshTokens.revoke(a.tokenHash, iso(T0))).toBe(true);
      expect(await store.refreshTokens.revoke(a.tokenHash, iso(T0 + 1))).toBe(false);
      expect(await store.refreshTokens.revoke("missing", iso(T0))).toBe(false);
      expect(await store.refreshTokens.get(a.tokenHash)).toEqual({ ...a, revokedAt: iso(T0) });
      expect(await store.refreshTokens.revokeAllForUser("u1", iso(T0 + 2))).toBe(1);
      expect((await store.refreshTokens.get(b.tokenHash))?.revokedAt).toBe(iso(T0 + 2));
      expect((await store.refreshTokens.get(alreadyRevoked.tokenHash))?.revokedAt).toBe(iso(T0 - 2 * H));
      expect(await store.refreshTokens.revokeAllForUser("nobody", iso(T0))).toBe(0);
      expect(await store.refreshTokens.purgeExpired(iso(T0))).toBe(1);
      expect(await store.refreshTokens.get(expired.tokenHash)).toBeUndefined();
      expect(await store.refreshTokens.get(b.tokenHash)).toBeDefined();
      expect(await store.refreshTokens.purgeExpired(iso(T0))).toBe(0);
    });

    it("a revoked token stays revoked when the same hash is put again", async () => {
      const record = { tokenHash: "replayed", userId: "u1", issuedAt: iso(T0), expiresAt: iso(T0 + H) };
      await store.refreshTokens.put(record);
      expect(await store.refreshTokens.revoke("replayed", iso(T0 + 1))).toBe(true);
      await store.refreshTokens.put({ ...record, expiresAt: iso(T0 + 2 * H) });
      expect(await store.refreshTokens.get("replayed")).toEqual({
        ...record,
        expiresAt: iso(T0 + 2 * H),
        revokedAt: iso(T0 + 1),
      });
      expect(await store.refreshTokens.revoke("replayed", iso(T0 + 2))).toBe(false);
    });
  });
}
