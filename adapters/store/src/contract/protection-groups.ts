import { randomUUID } from "node:crypto";
import {
  ConflictError,
  NotFoundError,
  type Page,
  PreconditionFailedError,
  type ProtectionGroup,
  type Store,
} from "@drso/core";
import { beforeEach, describe, expect, it } from "vitest";
import {
  ACCOUNT_A,
  ACCOUNT_B,
  expectAppError,
  explicitGroup,
  iso,
  sid,
  sortBy,
  T0,
  tagGroup,
} from "./fixtures.js";

/**
 * Store contract: protection groups: versions, names, server claims, filters, usage.
 *
 * Part of the Store port's behavioural contract (packages/core/src/ports/store.ts); describeStoreContract
 * (../store.contract.ts) runs it against every adapter with a fresh, empty store per test,
 * which `current()` returns. Fixtures and assertion helpers are in ./fixtures.ts.
 */
export function describeProtectionGroupContract(current: () => Store): void {
  describe("protection groups", () => {
    let store: Store;
    beforeEach(() => {
      store = current();
    });

    it("create stores version 1 whatever the input says, and get/findByName return it", async () => {
      const input = explicitGroup({ name: "Web Tier", version: 7 });
      const created = await store.protectionGroups.create(input);
      expect(created).toEqual({ ...input, version: 1 });
      expect(await store.protectionGroups.get(input.groupId)).toEqual(created);
      expect(await store.protectionGroups.findByName("wEB tIER")).toEqual(created);
      expect(await store.protectionGroups.get(randomUUID())).toBeUndefined();
      expect(await store.protectionGroups.findByName("Web Tier 2")).toBeUndefined();
    });

    it("update stores version + 1 and returns the stored record", async () => {
      const created = await store.protectionGroups.create(explicitGroup());
      const changed = { ...created, description: "Renamed front end", updatedAt: iso(T0 + 60_000) };
      const updated = await store.protectionGroups.update(changed, 1);
      expect(updated).toEqual({ ...changed, version: 2 });
      expect(await store.protectionGroups.get(created.groupId)).toEqual(updated);
      const again = await store.protectionGroups.update({ ...updated, description: "Third" }, 2);
      expect(again.version).toBe(3);
    });

    it("update with a stale version fails with VERSION_MISMATCH and changes nothing", async () => {
      const created = await store.protectionGroups.create(explicitGroup());
      await store.protectionGroups.update({ ...created, description: "v2" }, 1);
      const error = await expectAppError(
        store.protectionGroups.update(
          { ...created, description: "lost update", sourceServerIds: [sid()] },
          1,
        ),
        PreconditionFailedError,
        "VERSION_MISMATCH",
      );
      expect(error.status).toBe(412);
      const stored = await store.protectionGroups.get(created.groupId);
      expect(stored?.version).toBe(2);
      expect(stored?.description).toBe("v2");
      expect(stored?.sourceServerIds).toEqual(created.sourceServerIds);
    });

    it("update and delete of a missing group fail with NotFoundError", async () => {
      await expectAppError(
        store.protectionGroups.update(explicitGroup(), 1),
        NotFoundError,
        "PROTECTION_GROUP_NOT_FOUND",
      );
      await expectAppError(
        store.protectionGroups.delete(randomUUID()),
        NotFoundError,
        "PROTECTION_GROUP_NOT_FOUND",
      );
      expect(await store.protectionGroups.listAll()).toEqual([]);
    });

    it("delete honours expectedVersion when given", async () => {
      const a = await store.protectionGroups.create(explicitGroup());
      const b = await store.protectionGroups.create(explicitGroup());
      await expectAppError(
        store.protectionGroups.delete(a.groupId, 2),
        PreconditionFailedError,
        "VERSION_MISMATCH",
      );
      expect(await store.protectionGroups.get(a.groupId)).toEqual(a);
      await store.protectionGroups.delete(a.groupId, 1);
      await store.protectionGroups.delete(b.groupId);
      expect(await store.protectionGroups.get(a.groupId)).toBeUndefined();
      expect(await store.protectionGroups.listAll()).toEqual([]);
    });

    it("names are unique case-insensitively (NAME_ALREADY_EXISTS names the holder)", async () => {
      const first = await store.protectionGroups.create(explicitGroup({ name: "Database Tier" }));
      const error = await expectAppError(
        store.protectionGroups.create(explicitGroup({ name: "DATABASE tier" })),
        ConflictError,
        "NAME_ALREADY_EXISTS",
      );
      expect(error.status).toBe(409);
      expect(error.extra.conflictingId).toBe(first.groupId);
      expect(await store.protectionGroups.listAll()).toEqual([first]);
    });

    it("an update may change the case of its own name but not take another group's name", async () => {
      const a = await store.protectionGroups.create(explicitGroup({ name: "app tier" }));
      const b = await store.protectionGroups.create(explicitGroup({ name: "db tier" }));
      const renamed = await store.protectionGroups.update({ ...a, name: "App Tier" }, 1);
      expect(renamed.name).toBe("App Tier");
      const error = await expectAppError(
        store.protectionGroups.update({ ...b, name: "APP TIER" }, 1),
        ConflictError,
        "NAME_ALREADY_EXISTS",
      );
      expect(error.extra.conflictingId).toBe(a.groupId);
      expect(await store.protectionGroups.get(b.groupId)).toEqual(b);
      expect((await store.protectionGroups.findByName("db tier"))?.groupId).toBe(b.groupId);
    });

    it("a duplicate group ID fails with ALREADY_EXISTS", async () => {
      const a = await store.protectionGroups.create(explicitGroup());
      await expectAppError(
        store.protectionGroups.create(explicitGroup({ groupId: a.groupId })),
        ConflictError,
        "ALREADY_EXISTS",
      );
      expect(await store.protectionGroups.listAll()).toEqual([a]);
    });

    it("an explicit group cannot take a server another explicit group holds in the same account and region", async () => {
      const shared = sid();
      const holder = await store.protectionGroups.create(
        explicitGroup({ name: "billing", sourceServerIds: [sid(), shared] }),
      );
      const fresh = sid();
      const error = await expectAppError(
        store.protectionGroups.create(explicitGroup({ name: "reporting", sourceServerIds: [fresh, shared] })),
        ConflictError,
        "SERVER_ALREADY_ASSIGNED",
      );
      expect(error.extra).toMatchObject({
        sourceServerId: shared,
        groupId: holder.groupId,
        groupName: "billing",
      });
      expect(await store.protectionGroups.findByName("reporting")).toBeUndefined();
      // The rejected group claimed nothing: its other server is still free.
      await store.protectionGroups.create(explicitGroup({ sourceServerIds: [fresh] }));
    });

    it("the same server may belong to groups in different accounts or regions", async () => {
      const server = sid();
      await store.protectionGroups.create(explicitGroup({ sourceServerIds: [server] }));
      await store.protectionGroups.create(explicitGroup({ sourceServerIds: [server], region: "us-west-2" }));
      await store.protectionGroups.create(explicitGroup({ sourceServerIds: [server], accountId: ACCOUNT_B }));
      expect(await store.protectionGroups.listAll()).toHaveLength(3);
    });

    it("an update may keep its own servers; a conflicting update changes and claims nothing", async () => {
      const [s1, s2, s3, s4] = [sid(), sid(), sid(), sid()];
      const a = await store.protectionGroups.create(explicitGroup({ sourceServerIds: [s1, s2] }));
      const b = await store.protectionGroups.create(explicitGroup({ sourceServerIds: [s3] }));
      const kept = await store.protectionGroups.update(
        { ...a, sourceServerIds: [s2, s1], description: "x" },
        1,
      );
      expect(kept.sourceServerIds).toEqual([s2, s1]);
      const error = await expectAppError(
        store.protectionGroups.update({ ...b, sourceServerIds: [s3, s4, s1] }, 1),
        ConflictError,
        "SERVER_ALREADY_ASSIGNED",
      );
      expect(error.extra).toMatchObject({ sourceServerId: s1, groupId: a.groupId, groupName: a.name });
      expect(await store.protectionGroups.get(b.groupId)).toEqual(b);
      // s4 was not claimed by the failed update, and b still holds s3.
      await store.protectionGroups.create(explicitGroup({ sourceServerIds: [s4] }));
      await expectAppError(
        store.protectionGroups.create(explicitGroup({ sourceServerIds: [s3] })),
        ConflictError,
        "SERVER_ALREADY_ASSIGNED",
      );
    });

    it("removing servers, moving to another region and deleting a group free its servers", async () => {
      const [s1, s2, s3] = [sid(), sid(), sid()];
      const a = await store.protectionGroups.create(explicitGroup({ sourceServerIds: [s1, s2] }));
      const b = await store.protectionGroups.create(explicitGroup({ sourceServerIds: [s3] }));
      await store.protectionGroups.update({ ...a, sourceServerIds: [s1] }, 1);
      await store.protectionGroups.create(explicitGroup({ sourceServerIds: [s2] }));
      await store.protectionGroups.update({ ...b, region: "eu-west-1" }, 1);
      await store.protectionGroups.create(explicitGroup({ sourceServerIds: [s3] }));
      await store.protectionGroups.delete(a.groupId);
      await store.protectionGroups.create(explicitGroup({ sourceServerIds: [s1] }));
      // The moved group now holds s3 in its new region.
      await expectAppError(
        store.protectionGroups.create(explicitGroup({ sourceServerIds: [s3], region: "eu-west-1" })),
        ConflictError,
        "SERVER_ALREADY_ASSIGNED",
      );
    });

    it("tag-selection groups never claim servers", async () => {
      const server = sid();
      const explicit = await store.protectionGroups.create(explicitGroup({ sourceServerIds: [server] }));
      await store.protectionGroups.create(tagGroup());
      await store.protectionGroups.create(tagGroup());
      // Switching the explicit group to tag selection frees its servers.
      const { sourceServerIds: _dropped, ...rest } = explicit;
      await store.protectionGroups.update(
        { ...rest, selectionMode: "tags", serverSelectionTags: { Application: "billing" } },
        1,
      );
      await store.protectionGroups.create(explicitGroup({ sourceServerIds: [server] }));
      expect(await store.protectionGroups.listAll()).toHaveLength(4);
    });

    it("list filters by account, region and case-insensitive name substring, ordered by name", async () => {
      const make = (name: string, accountId: string, region: string) =>
        store.protectionGroups.create(explicitGroup({ name, accountId, region }));
      const beta = await make("beta web", ACCOUNT_A, "us-east-1");
      const alpha = await make("Alpha WEB", ACCOUNT_A, "us-east-1");
      const gamma = await make("gamma db", ACCOUNT_A, "us-west-2");
      const alpha2 = await make("ALPHA-2 db", ACCOUNT_B, "us-east-1");
      const names = (page: Page<ProtectionGroup>) => page.items.map((g) => g.name);
      expect(names(await store.protectionGroups.list({}, {}))).toEqual([
        alpha.name,
        alpha2.name,
        beta.name,
        gamma.name,
      ]);
      expect(names(await store.protectionGroups.list({ accountId: ACCOUNT_A }, {}))).toEqual([
        alpha.name,
        beta.name,
        gamma.name,
      ]);
      expect(names(await store.protectionGroups.list({ region: "us-east-1" }, {}))).toEqual([
        alpha.name,
        alpha2.name,
        beta.name,
      ]);
      expect(names(await store.protectionGroups.list({ nameContains: "Web" }, {}))).toEqual([
        alpha.name,
        beta.name,
      ]);
      expect(
        names(
          await store.protectionGroups.list(
            { accountId: ACCOUNT_A, region: "us-west-2", nameContains: "DB" },
            {},
          ),
        ),
      ).toEqual([gamma.name]);
      expect((await store.protectionGroups.list({ nameContains: "nothing" }, {})).items).toEqual([]);
      const page = await store.protectionGroups.list({}, {});
      expect(page.nextToken).toBeUndefined();
      expect(page.items[0]).toEqual(alpha);
    });

    it("listAll returns every group", async () => {
      const created = [
        await store.protectionGroups.create(explicitGroup()),
        await store.protectionGroups.create(tagGroup()),
        await store.protectionGroups.create(explicitGroup({ accountId: ACCOUNT_B })),
      ];
      expect(sortBy(await store.protectionGroups.listAll(), (g) => g.groupId)).toEqual(
        sortBy(created, (g) => g.groupId),
      );
    });
  });
}
