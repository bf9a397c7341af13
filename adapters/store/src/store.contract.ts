import { randomBytes, randomUUID } from "node:crypto";
import {
  type Account,
  type AppError,
  type AuditEvent,
  type AuditFilter,
  type BatchRun,
  ConflictError,
  DEFAULT_SETTINGS,
  type Execution,
  type ExecutionFilter,
  type ExecutionSort,
  type ExecutionSummary,
  NotFoundError,
  type Page,
  type PageRequest,
  PreconditionFailedError,
  type ProtectionGroup,
  type RecoveryPlan,
  type RefreshTokenRecord,
  type ServerRun,
  type Store,
  serverKeysOf,
  summarize,
  type UserRecord,
  usageOf,
  ValidationError,
  type Wave,
  type WaveRun,
} from "@drso/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

/**
 * The behavioural contract of the Store port (packages/core/src/ports/store.ts). Every adapter runs it:
 *
 *   describeStoreContract("sqlite (file)", async () => { const store = createSqliteStore(...); return { store, close } });
 *
 * `open` must return a fresh, empty store for each test; `close` releases whatever it holds.
 */
export interface StoreUnderTest {
  store: Store;
  close(): Promise<void>;
}

export function describeStoreContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`Store contract: ${name}`, () => {
    let handle: StoreUnderTest | undefined;
    let store: Store;

    beforeEach(async () => {
      handle = await open();
      store = handle.store;
    });
    afterEach(async () => {
      await handle?.close();
      handle = undefined;
    });

    describe("protection groups", () => {
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
          store.protectionGroups.create(
            explicitGroup({ name: "reporting", sourceServerIds: [fresh, shared] }),
          ),
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
        await store.protectionGroups.create(
          explicitGroup({ sourceServerIds: [server], region: "us-west-2" }),
        );
        await store.protectionGroups.create(
          explicitGroup({ sourceServerIds: [server], accountId: ACCOUNT_B }),
        );
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

    describe("pagination", () => {
      it("returns every item exactly once, in the same order as one page, for any limit", async () => {
        for (let i = 0; i < 7; i++)
          await store.protectionGroups.create(explicitGroup({ name: `group ${i}` }));
        const whole = (await store.protectionGroups.list({}, { limit: 100 })).items.map((g) => g.groupId);
        expect(whole).toHaveLength(7);
        for (const limit of [1, 2, 3, 6, 7, 8]) {
          const walked = await walk((page) => store.protectionGroups.list({}, page), limit);
          expect(walked.map((g) => g.groupId)).toEqual(whole);
        }
      });

      it("keeps every item exactly once while others are created and deleted between pages", async () => {
        const byName = new Map<string, ProtectionGroup>();
        for (const n of ["g-01", "g-02", "g-03", "g-04", "g-05", "g-06", "g-07", "g-08"]) {
          byName.set(n, await store.protectionGroups.create(explicitGroup({ name: n })));
        }
        const first = await store.protectionGroups.list({}, { limit: 3 });
        expect(first.items.map((g) => g.name)).toEqual(["g-01", "g-02", "g-03"]);
        // Remove items before the cursor and the cursor item itself (an offset would now skip g-04, and a
        // search for the last item would restart), and add items on both sides of it.
        for (const n of ["g-02", "g-03", "g-05"]) await store.protectionGroups.delete(byName.get(n)!.groupId);
        await store.protectionGroups.create(explicitGroup({ name: "g-00" }));
        await store.protectionGroups.create(explicitGroup({ name: "g-99" }));
        const rest = await walk((page) => store.protectionGroups.list({}, page), 3, first.nextToken);
        const seen = [...first.items, ...rest].map((g) => g.name);
        expect(new Set(seen).size).toBe(seen.length);
        for (const n of ["g-01", "g-04", "g-06", "g-07", "g-08"]) expect(seen).toContain(n);
        expect(seen).not.toContain("g-05");
      });

      it("rejects a token reused with different filters, a token of another list and a garbage token", async () => {
        for (let i = 0; i < 3; i++) {
          await store.protectionGroups.create(explicitGroup({ name: `pg ${i}` }));
          await store.recoveryPlans.create(recoveryPlan([randomUUID()], { name: `tier plan ${i}` }));
        }
        const groups = await store.protectionGroups.list({ accountId: ACCOUNT_A }, { limit: 1 });
        expect(groups.nextToken).toBeDefined();
        const token = groups.nextToken!;
        await expectAppError(
          store.protectionGroups.list({}, { nextToken: token }),
          ValidationError,
          "INVALID_NEXT_TOKEN",
        );
        await expectAppError(
          store.protectionGroups.list({ accountId: ACCOUNT_B }, { nextToken: token }),
          ValidationError,
          "INVALID_NEXT_TOKEN",
        );
        await expectAppError(
          store.recoveryPlans.list({}, { nextToken: token }),
          ValidationError,
          "INVALID_NEXT_TOKEN",
        );
        const plans = await store.recoveryPlans.list({ nameContains: "tier" }, { limit: 1 });
        await expectAppError(
          store.recoveryPlans.list({ nameContains: "web" }, { nextToken: plans.nextToken! }),
          ValidationError,
          "INVALID_NEXT_TOKEN",
        );
        const forged = Buffer.from(JSON.stringify({ h: "x", k: [1] })).toString("base64url");
        for (const garbage of ["not a token", "%%%", "", "eyJ", forged, "A".repeat(5000)]) {
          const error = await expectAppError(
            store.protectionGroups.list({}, { nextToken: garbage }),
            ValidationError,
            "INVALID_NEXT_TOKEN",
          );
          expect(error.status).toBe(400);
        }
        // The same filters accept the token.
        const next = await store.protectionGroups.list(
          { accountId: ACCOUNT_A },
          { limit: 1, nextToken: token },
        );
        expect(next.items).toHaveLength(1);
      });

      it("clamps the limit to 1..100 and defaults to 50", async () => {
        for (let i = 0; i < 101; i++) {
          await store.protectionGroups.create(explicitGroup({ name: `bulk ${String(i).padStart(3, "0")}` }));
        }
        const check = async (page: PageRequest, expected: number) => {
          const result = await store.protectionGroups.list({}, page);
          expect(result.items).toHaveLength(expected);
          expect(result.nextToken).toBeDefined();
        };
        await check({}, 50);
        await check({ limit: 0 }, 1);
        await check({ limit: -5 }, 1);
        await check({ limit: 1000 }, 100);
        const all = await walk((page) => store.protectionGroups.list({}, page), 100);
        expect(all).toHaveLength(101);
      });
    });

    describe("recovery plans", () => {
      it("create stores version 1; get, findByName (case-insensitive), update and delete follow versions", async () => {
        const input = recoveryPlan([randomUUID()], { name: "Tier-1 Apps", version: 4 });
        const created = await store.recoveryPlans.create(input);
        expect(created).toEqual({ ...input, version: 1 });
        expect(await store.recoveryPlans.get(input.planId)).toEqual(created);
        expect(await store.recoveryPlans.findByName("tier-1 apps")).toEqual(created);
        expect(await store.recoveryPlans.findByName("tier-2 apps")).toBeUndefined();
        const updated = await store.recoveryPlans.update({ ...created, rtoSeconds: 1800 }, 1);
        expect(updated).toEqual({ ...created, rtoSeconds: 1800, version: 2 });
        await expectAppError(
          store.recoveryPlans.update({ ...created, rtoSeconds: 60 }, 1),
          PreconditionFailedError,
          "VERSION_MISMATCH",
        );
        expect(await store.recoveryPlans.get(input.planId)).toEqual(updated);
        await expectAppError(
          store.recoveryPlans.delete(input.planId, 1),
          PreconditionFailedError,
          "VERSION_MISMATCH",
        );
        await store.recoveryPlans.delete(input.planId, 2);
        expect(await store.recoveryPlans.get(input.planId)).toBeUndefined();
      });

      it("update and delete of a missing plan fail with NotFoundError", async () => {
        await expectAppError(
          store.recoveryPlans.update(recoveryPlan([randomUUID()]), 1),
          NotFoundError,
          "RECOVERY_PLAN_NOT_FOUND",
        );
        await expectAppError(
          store.recoveryPlans.delete(randomUUID()),
          NotFoundError,
          "RECOVERY_PLAN_NOT_FOUND",
        );
      });

      it("names are unique case-insensitively, on create and on update; duplicate IDs are refused", async () => {
        const a = await store.recoveryPlans.create(recoveryPlan([randomUUID()], { name: "Payments" }));
        const b = await store.recoveryPlans.create(recoveryPlan([randomUUID()], { name: "Ledger" }));
        const error = await expectAppError(
          store.recoveryPlans.create(recoveryPlan([randomUUID()], { name: "PAYMENTS" })),
          ConflictError,
          "NAME_ALREADY_EXISTS",
        );
        expect(error.extra.conflictingId).toBe(a.planId);
        await expectAppError(
          store.recoveryPlans.update({ ...b, name: "payments" }, 1),
          ConflictError,
          "NAME_ALREADY_EXISTS",
        );
        expect(await store.recoveryPlans.get(b.planId)).toEqual(b);
        await store.recoveryPlans.update({ ...a, name: "PAYMENTS" }, 1);
        await expectAppError(
          store.recoveryPlans.create(recoveryPlan([randomUUID()], { planId: b.planId, name: "Other" })),
          ConflictError,
          "ALREADY_EXISTS",
        );
        expect(await store.recoveryPlans.listAll()).toHaveLength(2);
      });

      it("list filters by name substring, exact name and referenced protection group, and pages", async () => {
        const [g1, g2, g3] = [randomUUID(), randomUUID(), randomUUID()];
        const web = await store.recoveryPlans.create(recoveryPlan([g1, g2], { name: "Web Tier DR" }));
        const db = await store.recoveryPlans.create(recoveryPlan([g2], { name: "DB tier dr" }));
        const batch = await store.recoveryPlans.create(recoveryPlan([g3], { name: "Batch jobs" }));
        const names = async (filter: Parameters<Store["recoveryPlans"]["list"]>[0]) =>
          (await store.recoveryPlans.list(filter, {})).items.map((p) => p.name);
        expect(await names({})).toEqual([batch.name, db.name, web.name]);
        expect(await names({ nameContains: "TIER" })).toEqual([db.name, web.name]);
        expect(await names({ nameExact: "web tier dr" })).toEqual([web.name]);
        expect(await names({ nameExact: "web tier" })).toEqual([]);
        expect(await names({ protectionGroupId: g2 })).toEqual([db.name, web.name]);
        expect(await names({ protectionGroupId: g1, nameContains: "web" })).toEqual([web.name]);
        expect(await names({ protectionGroupId: randomUUID() })).toEqual([]);
        const walked = await walk((page) => store.recoveryPlans.list({}, page), 1);
        expect(walked.map((p) => p.planId)).toEqual([batch.planId, db.planId, web.planId]);
      });

      it("the protection-group filter follows updates and deletes", async () => {
        const [g1, g2] = [randomUUID(), randomUUID()];
        const plan = await store.recoveryPlans.create(recoveryPlan([g1]));
        await store.recoveryPlans.update({ ...plan, waves: [wave("wave-1", [g2])] }, 1);
        expect((await store.recoveryPlans.list({ protectionGroupId: g1 }, {})).items).toEqual([]);
        expect((await store.recoveryPlans.list({ protectionGroupId: g2 }, {})).items).toHaveLength(1);
        await store.recoveryPlans.delete(plan.planId);
        expect((await store.recoveryPlans.list({ protectionGroupId: g2 }, {})).items).toEqual([]);
      });
    });

    describe("executions", () => {
      it("create stores version 1 with its events numbered from 1; a duplicate ID is ALREADY_EXISTS", async () => {
        const input = execution({ version: 9 });
        const created = await store.executions.create(input, {
          events: [
            { at: T0, type: "execution.started", message: "Drill started by alice" },
            {
              at: T0 + 1,
              type: "wave.started",
              waveId: "wave-1",
              message: "Wave 1 started",
              data: { servers: 3 },
            },
          ],
        });
        expect(created).toEqual({ ...input, version: 1 });
        expect(await store.executions.get(input.executionId)).toEqual(created);
        expect(await store.executions.events(input.executionId, 0, 100)).toEqual([
          {
            executionId: input.executionId,
            seq: 1,
            at: T0,
            type: "execution.started",
            message: "Drill started by alice",
          },
          {
            executionId: input.executionId,
            seq: 2,
            at: T0 + 1,
            type: "wave.started",
            waveId: "wave-1",
            message: "Wave 1 started",
            data: { servers: 3 },
          },
        ]);
        await expectAppError(
          store.executions.create(execution({ executionId: input.executionId }), {
            events: [{ at: T0, type: "execution.started", message: "duplicate" }],
          }),
          ConflictError,
          "ALREADY_EXISTS",
        );
        expect(await store.executions.get(input.executionId)).toEqual(created);
        expect(await store.executions.events(input.executionId, 0, 100)).toHaveLength(2);
        expect(await store.executions.get(randomUUID())).toBeUndefined();
        expect(await store.executions.getSummary(randomUUID())).toBeUndefined();
      });

      it("getSummary is summarize() of the stored execution and follows saves", async () => {
        const created = await store.executions.create(execution());
        expect(await store.executions.getSummary(created.executionId)).toEqual(summarize(created));
        const done = finished(created, T0 + 3_600_000);
        const saved = await store.executions.save(done, 1);
        const summary = await store.executions.getSummary(created.executionId);
        expect(summary).toEqual(summarize(saved));
        expect(summary).toMatchObject({ status: "COMPLETED", serversLaunched: 3, achievedRtoSeconds: 3600 });
      });

      it("save stores version + 1 and continues event numbering across saves", async () => {
        const created = await store.executions.create(execution(), {
          events: [{ at: T0, type: "execution.started", message: "started" }],
        });
        const paused: Execution = {
          ...created,
          status: "PAUSED",
          pause: { reason: "user", since: T0 + 10, by: "bob" },
          updatedAt: T0 + 10,
        };
        const saved = await store.executions.save(paused, 1, {
          events: [
            { at: T0 + 10, type: "execution.paused", message: "paused by bob" },
            { at: T0 + 11, type: "note", message: "waiting" },
          ],
        });
        expect(saved).toEqual({ ...paused, version: 2 });
        expect(await store.executions.get(created.executionId)).toEqual(saved);
        await store.executions.save({ ...saved, status: "RUNNING" }, 2, {
          events: [{ at: T0 + 20, type: "execution.resumed", message: "resumed" }],
        });
        const events = await store.executions.events(created.executionId, 0, 100);
        expect(events.map((e) => [e.seq, e.type])).toEqual([
          [1, "execution.started"],
          [2, "execution.paused"],
          [3, "note"],
          [4, "execution.resumed"],
        ]);
        expect((await store.executions.events(created.executionId, 1, 2)).map((e) => e.seq)).toEqual([2, 3]);
        expect(await store.executions.events(created.executionId, 4, 10)).toEqual([]);
        expect(await store.executions.events(randomUUID(), 0, 10)).toEqual([]);
      });

      it("a save with a stale version fails, appends no events and changes nothing", async () => {
        const created = await store.executions.create(execution(), {
          events: [{ at: T0, type: "execution.started", message: "started" }],
        });
        const winner = await store.executions.save({ ...created, updatedAt: T0 + 5 }, 1, {
          events: [{ at: T0 + 5, type: "winner", message: "first writer" }],
        });
        const error = await expectAppError(
          store.executions.save({ ...created, status: "CANCELLING" }, 1, {
            events: [{ at: T0 + 6, type: "loser", message: "second writer" }],
          }),
          PreconditionFailedError,
          "VERSION_MISMATCH",
        );
        expect(error.status).toBe(412);
        expect(await store.executions.get(created.executionId)).toEqual(winner);
        expect(await store.executions.getSummary(created.executionId)).toEqual(summarize(winner));
        expect((await store.executions.events(created.executionId, 0, 100)).map((e) => e.type)).toEqual([
          "execution.started",
          "winner",
        ]);
      });

      it("save of a missing execution fails with NotFoundError and stores nothing", async () => {
        const ghost = execution();
        await expectAppError(
          store.executions.save(ghost, 1, { events: [{ at: T0, type: "x", message: "x" }] }),
          NotFoundError,
          "EXECUTION_NOT_FOUND",
        );
        expect(await store.executions.get(ghost.executionId)).toBeUndefined();
        expect(await store.executions.events(ghost.executionId, 0, 10)).toEqual([]);
      });

      describe("listing", () => {
        const P1 = randomUUID();
        const P2 = randomUUID();
        const fixtures = (): Execution[] => [
          finished(execution({ planId: P1, initiatedBy: "alice", startTime: T0 + H }), T0 + 2 * H),
          finished(
            execution({ planId: P1, executionType: "RECOVERY", initiatedBy: "bob", startTime: T0 + 2 * H }),
            T0 + 2.5 * H,
            "FAILED",
          ),
          execution({ planId: P2, initiatedBy: "alice", startTime: T0 + 3 * H }),
          execution({ planId: P2, initiatedBy: "alice", startTime: T0 + 3 * H, status: "PENDING" }),
          execution({
            planId: P2,
            executionType: "FAILBACK",
            initiatedBy: "carol",
            startTime: T0 + 4 * H,
            status: "PAUSED",
          }),
          finished(
            execution({ planId: P1, initiatedBy: "bob", startTime: T0 + 5 * H }),
            T0 + 5.1 * H,
            "CANCELLED",
          ),
          finished(execution({ planId: P1, initiatedBy: "alice", startTime: T0 + 6 * H }), T0 + 6.2 * H),
        ];
        let all: Execution[];
        beforeEach(async () => {
          all = [];
          for (const e of fixtures()) all.push(await store.executions.create(e));
        });
        const ids = (items: readonly { executionId: string }[]) => items.map((e) => e.executionId).sort();
        const expected = (predicate: (e: Execution) => boolean) => ids(all.filter(predicate));
        const list = async (filter: ExecutionFilter, sort: ExecutionSort = DESC_START) =>
          (await store.executions.list(filter, sort, { limit: 100 })).items;

        it("returns summaries and filters by plan, status, type, initiator and inclusive start range", async () => {
          const everything = await list({});
          expect(everything).toHaveLength(all.length);
          for (const summary of everything) {
            const source = all.find((e) => e.executionId === summary.executionId)!;
            expect(summary).toEqual(summarize(source));
          }
          expect(ids(await list({ planId: P1 }))).toEqual(expected((e) => e.planId === P1));
          expect(ids(await list({ status: ["RUNNING", "PAUSED"] }))).toEqual(
            expected((e) => e.status === "RUNNING" || e.status === "PAUSED"),
          );
          expect(ids(await list({ status: ["COMPLETED"] }))).toEqual(
            expected((e) => e.status === "COMPLETED"),
          );
          expect(ids(await list({ executionType: "RECOVERY" }))).toEqual(
            expected((e) => e.executionType === "RECOVERY"),
          );
          expect(ids(await list({ initiatedBy: "alice" }))).toEqual(
            expected((e) => e.initiatedBy === "alice"),
          );
          expect(ids(await list({ startFrom: T0 + 3 * H, startTo: T0 + 5 * H }))).toEqual(
            expected((e) => e.startTime >= T0 + 3 * H && e.startTime <= T0 + 5 * H),
          );
          expect(ids(await list({ startFrom: T0 + 6 * H }))).toEqual(
            expected((e) => e.startTime >= T0 + 6 * H),
          );
          expect(ids(await list({ startTo: T0 + H }))).toEqual(expected((e) => e.startTime <= T0 + H));
          expect(
            ids(
              await list({ planId: P1, initiatedBy: "alice", executionType: "DRILL", status: ["COMPLETED"] }),
            ),
          ).toEqual(
            expected(
              (e) =>
                e.planId === P1 &&
                e.initiatedBy === "alice" &&
                e.executionType === "DRILL" &&
                e.status === "COMPLETED",
            ),
          );
          expect(await list({ planId: randomUUID() })).toEqual([]);
        });

        it("sorts by startTime, endTime and status in both orders; unfinished executions last by endTime", async () => {
          const byId = new Map(all.map((e) => [e.executionId, e]));
          const sortValue = (s: ExecutionSummary, by: ExecutionSort["by"]) => {
            const e = byId.get(s.executionId)!;
            return by === "startTime" ? e.startTime : by === "endTime" ? e.endTime : e.status;
          };
          for (const sort of ALL_SORTS) {
            const items = await list({}, sort);
            expect(items).toHaveLength(all.length);
            const values = items.map((s) => sortValue(s, sort.by));
            const defined = values.filter((v) => v !== undefined);
            if (sort.by === "endTime") {
              const firstUndefined = values.indexOf(undefined);
              expect(firstUndefined).toBe(defined.length);
            }
            const ordered = [...defined].sort((a, b) => (a! < b! ? -1 : a! > b! ? 1 : 0));
            if (sort.order === "desc") ordered.reverse();
            expect(defined).toEqual(ordered);
          }
        });

        it("pages through every sort and filter without gaps or duplicates", async () => {
          for (const sort of ALL_SORTS) {
            for (const filter of [
              {},
              { planId: P2 },
              { status: ["COMPLETED", "RUNNING", "PENDING"] },
            ] as ExecutionFilter[]) {
              const whole = (await store.executions.list(filter, sort, { limit: 100 })).items.map(
                (s) => s.executionId,
              );
              for (const limit of [1, 2, 3]) {
                const walked = await walk((page) => store.executions.list(filter, sort, page), limit);
                expect(walked.map((s) => s.executionId)).toEqual(whole);
              }
            }
          }
        });

        it("rejects a token used with another sort or filter", async () => {
          const first = await store.executions.list({}, DESC_START, { limit: 2 });
          const token = first.nextToken!;
          expect(token).toBeDefined();
          const other = [
            store.executions.list({}, { by: "startTime", order: "asc" }, { nextToken: token }),
            store.executions.list({}, { by: "status", order: "desc" }, { nextToken: token }),
            store.executions.list({ planId: P1 }, DESC_START, { nextToken: token }),
            store.executions.list({ status: ["RUNNING"] }, DESC_START, { nextToken: token }),
          ];
          for (const call of other) await expectAppError(call, ValidationError, "INVALID_NEXT_TOKEN");
          expect(
            (await store.executions.list({}, DESC_START, { limit: 2, nextToken: token })).items,
          ).toHaveLength(2);
        });
      });

      it("listActive returns non-terminal executions and terminal ones that still have a wakeAt", async () => {
        const running = await store.executions.create(execution());
        const pending = await store.executions.create(execution({ status: "PENDING", waves: [] }));
        const paused = await store.executions.create(execution({ status: "PAUSED" }));
        const cancelling = await store.executions.create(execution({ status: "CANCELLING" }));
        await store.executions.create(finished(execution(), T0 + H));
        const cleanup = await store.executions.create({
          ...finished(execution(), T0 + H),
          wakeAt: T0 + 24 * H,
          cleanupAt: T0 + 24 * H,
        });
        await store.executions.create(finished(execution(), T0 + H, "FAILED"));
        const active = await store.executions.listActive();
        const expectedActive = [running, pending, paused, cancelling, cleanup];
        expect(active.map((a) => a.executionId).sort()).toEqual(ids(expectedActive));
        for (const e of expectedActive) {
          const entry = active.find((a) => a.executionId === e.executionId)!;
          expect(entry).toEqual({
            executionId: e.executionId,
            status: e.status,
            usage: usageOf(e),
            serverKeys: serverKeysOf(e),
          });
        }
        expect(active.find((a) => a.executionId === running.executionId)?.usage).toEqual({
          [`${ACCOUNT_A}/us-east-1`]: { jobs: 1, servers: 3 },
        });
        // Finishing an execution takes it out; its usage was freed with it.
        await store.executions.save(finished(running, T0 + 2 * H), 1);
        expect((await store.executions.listActive()).map((a) => a.executionId)).not.toContain(
          running.executionId,
        );
      });

      it("listDue returns executions whose wakeAt has come, oldest first, within the limit", async () => {
        const now = T0 + 10 * H;
        const oldest = await store.executions.create(execution({ wakeAt: now - 3000 }));
        const older = await store.executions.create(execution({ wakeAt: now - 2000 }));
        const old = await store.executions.create(execution({ wakeAt: now - 1000 }));
        const exactlyNow = await store.executions.create(execution({ wakeAt: now }));
        await store.executions.create(execution({ wakeAt: now + 5000 }));
        await store.executions.create(execution());
        const due = await store.executions.listDue(now, 10);
        expect(due.slice(0, 3)).toEqual([oldest.executionId, older.executionId, old.executionId]);
        expect(due.sort()).toEqual(ids([oldest, older, old, exactlyNow]));
        expect(await store.executions.listDue(now, 2)).toEqual([oldest.executionId, older.executionId]);
        expect(await store.executions.listDue(now - 10_000, 10)).toEqual([]);
      });

      it("listDue includes executions with a command newer than appliedCommandSeq", async () => {
        const now = T0 + 10 * H;
        const waiting = await store.executions.create(execution({ wakeAt: now + H }));
        const idle = await store.executions.create(execution());
        const applied = await store.executions.create(execution({ wakeAt: now + H }));
        await store.executions.appendCommand(waiting.executionId, { type: "pause", by: "bob", at: now - 5 });
        await store.executions.appendCommand(idle.executionId, { type: "cancel", by: "bob", at: now - 5 });
        await store.executions.appendCommand(applied.executionId, { type: "resume", by: "bob", at: now - 5 });
        await store.executions.save({ ...applied, appliedCommandSeq: 1 }, 1);
        expect((await store.executions.listDue(now, 10)).sort()).toEqual(ids([waiting, idle]));
        await store.executions.save({ ...idle, appliedCommandSeq: 1 }, 1);
        expect(await store.executions.listDue(now, 10)).toEqual([waiting.executionId]);
      });

      it("listDue skips executions under a live lease and takes those whose lease expired", async () => {
        const now = T0 + 10 * H;
        const free = await store.executions.create(execution({ wakeAt: now - 3000 }));
        const held = await store.executions.create(execution({ wakeAt: now - 2000 }));
        const expired = await store.executions.create(execution({ wakeAt: now - 1000 }));
        const heldWithCommand = await store.executions.create(execution({ wakeAt: now + H }));
        await store.executions.appendCommand(heldWithCommand.executionId, {
          type: "cancel",
          by: "bob",
          at: now,
        });
        expect(await store.executions.acquireLease(held.executionId, "driver-b", now - 1000, 30_000)).toBe(
          true,
        );
        expect(
          await store.executions.acquireLease(heldWithCommand.executionId, "driver-b", now, 30_000),
        ).toBe(true);
        expect(
          await store.executions.acquireLease(expired.executionId, "driver-b", now - 60_000, 30_000),
        ).toBe(true);
        expect(await store.executions.listDue(now, 10)).toEqual([free.executionId, expired.executionId]);
        await store.executions.releaseLease(held.executionId, "driver-b");
        expect(await store.executions.listDue(now, 10)).toEqual([
          free.executionId,
          held.executionId,
          expired.executionId,
        ]);
      });

      it("nextWakeAt is the earliest wakeAt, counting a leased execution only from its lease's expiry", async () => {
        expect(await store.executions.nextWakeAt()).toBeUndefined();
        await store.executions.create(execution());
        expect(await store.executions.nextWakeAt()).toBeUndefined();
        await store.executions.create(execution({ wakeAt: T0 + 5000 }));
        const soon = await store.executions.create(execution({ wakeAt: T0 + 2000 }));
        await store.executions.create(finished(execution(), T0 + 1000));
        expect(await store.executions.nextWakeAt()).toBe(T0 + 2000);
        await store.executions.acquireLease(soon.executionId, "driver-a", T0, 10_000);
        expect(await store.executions.nextWakeAt()).toBe(T0 + 5000);
        await store.executions.releaseLease(soon.executionId, "driver-a");
        expect(await store.executions.nextWakeAt()).toBe(T0 + 2000);
        await store.executions.save({ ...soon, wakeAt: T0 + 1500 }, 1);
        expect(await store.executions.nextWakeAt()).toBe(T0 + 1500);
      });

      it("a lease is taken when free, expired or already the owner's, refused otherwise, released only by its owner", async () => {
        const { executionId: id } = await store.executions.create(execution());
        expect(await store.executions.acquireLease(id, "a", T0, 1000)).toBe(true);
        expect(await store.executions.acquireLease(id, "b", T0 + 500, 1000)).toBe(false);
        expect(await store.executions.acquireLease(id, "a", T0 + 900, 1000)).toBe(true);
        expect(await store.executions.acquireLease(id, "b", T0 + 1500, 1000)).toBe(false);
        expect(await store.executions.acquireLease(id, "b", T0 + 2000, 1000)).toBe(true);
        await store.executions.releaseLease(id, "a");
        expect(await store.executions.acquireLease(id, "a", T0 + 2100, 1000)).toBe(false);
        await store.executions.releaseLease(id, "b");
        expect(await store.executions.acquireLease(id, "a", T0 + 2100, 1000)).toBe(true);
        expect(await store.executions.acquireLease(randomUUID(), "a", T0, 1000)).toBe(false);
        await store.executions.releaseLease(randomUUID(), "a");
      });

      it("save leaves the lease in place", async () => {
        const created = await store.executions.create(execution());
        expect(await store.executions.acquireLease(created.executionId, "a", T0, 60_000)).toBe(true);
        await store.executions.save({ ...created, updatedAt: T0 + 1 }, 1);
        expect(await store.executions.acquireLease(created.executionId, "b", T0 + 1000, 60_000)).toBe(false);
      });

      it("commands are numbered 1, 2, … per execution and read back after a sequence number", async () => {
        const a = await store.executions.create(execution());
        const b = await store.executions.create(execution());
        expect(
          await store.executions.appendCommand(a.executionId, { type: "pause", by: "bob", at: T0 + 1 }),
        ).toBe(1);
        expect(
          await store.executions.appendCommand(a.executionId, {
            type: "approve",
            by: "carol",
            at: T0 + 2,
            actionId: "wave-2/pre/0",
            comment: "change ticket CHG-1234 approved",
          }),
        ).toBe(2);
        expect(
          await store.executions.appendCommand(b.executionId, { type: "cancel", by: "bob", at: T0 + 3 }),
        ).toBe(1);
        expect(await store.executions.commandsAfter(a.executionId, 0)).toEqual([
          { seq: 1, type: "pause", by: "bob", at: T0 + 1 },
          {
            seq: 2,
            type: "approve",
            by: "carol",
            at: T0 + 2,
            actionId: "wave-2/pre/0",
            comment: "change ticket CHG-1234 approved",
          },
        ]);
        expect((await store.executions.commandsAfter(a.executionId, 1)).map((c) => c.seq)).toEqual([2]);
        expect(await store.executions.commandsAfter(a.executionId, 2)).toEqual([]);
        expect(await store.executions.commandsAfter(b.executionId, 0)).toEqual([
          { seq: 1, type: "cancel", by: "bob", at: T0 + 3 },
        ]);
        await expectAppError(
          store.executions.appendCommand(randomUUID(), { type: "resume", by: "bob", at: T0 }),
          NotFoundError,
          "EXECUTION_NOT_FOUND",
        );
        // Saving the execution does not disturb its commands.
        await store.executions.save({ ...a, appliedCommandSeq: 2 }, 1);
        expect(
          await store.executions.appendCommand(a.executionId, { type: "resume", by: "bob", at: T0 + 4 }),
        ).toBe(3);
      });

      it("job logs are idempotent per (execution, job, index) and read by job, index and limit in order", async () => {
        const a = await store.executions.create(execution());
        const b = await store.executions.create(execution());
        const item = (index: number, event: string, sourceServerId?: string) => ({
          index,
          at: iso(T0 + index * 1000),
          event,
          ...(sourceServerId === undefined ? {} : { sourceServerId }),
        });
        const server = sid();
        await store.executions.appendJobLog(a.executionId, "drsjob-1111111111111111a", [
          item(0, "JOB_START"),
          item(1, "SNAPSHOT_START", server),
          item(2, "SNAPSHOT_END", server),
        ]);
        await store.executions.appendJobLog(a.executionId, "drsjob-1111111111111111a", [
          item(2, "DUPLICATE_MUST_BE_IGNORED"),
          item(3, "CONVERSION_START", server),
        ]);
        await store.executions.appendJobLog(a.executionId, "drsjob-2222222222222222b", [
          item(1, "CONVERSION_END"),
          item(0, "JOB_START"),
        ]);
        await store.executions.appendJobLog(b.executionId, "drsjob-1111111111111111a", [item(0, "OTHER")]);
        const job1 = await store.executions.jobLog(a.executionId, {
          jobId: "drsjob-1111111111111111a",
          limit: 100,
        });
        expect(job1).toEqual([
          { ...item(0, "JOB_START"), jobId: "drsjob-1111111111111111a" },
          { ...item(1, "SNAPSHOT_START", server), jobId: "drsjob-1111111111111111a" },
          { ...item(2, "SNAPSHOT_END", server), jobId: "drsjob-1111111111111111a" },
          { ...item(3, "CONVERSION_START", server), jobId: "drsjob-1111111111111111a" },
        ]);
        const indices = async (query: { jobId?: string; afterIndex?: number; limit: number }) =>
          (await store.executions.jobLog(a.executionId, query)).map((i) => i.index);
        expect(await indices({ jobId: "drsjob-1111111111111111a", afterIndex: 1, limit: 100 })).toEqual([
          2, 3,
        ]);
        expect(await indices({ jobId: "drsjob-1111111111111111a", limit: 2 })).toEqual([0, 1]);
        expect(await indices({ jobId: "drsjob-2222222222222222b", limit: 100 })).toEqual([0, 1]);
        const everything = await store.executions.jobLog(a.executionId, { limit: 100 });
        expect(everything).toHaveLength(6);
        for (const jobId of ["drsjob-1111111111111111a", "drsjob-2222222222222222b"]) {
          const own = everything.filter((i) => i.jobId === jobId).map((i) => i.index);
          expect(own).toEqual([...own].sort((x, y) => x - y));
        }
        expect(await store.executions.jobLog(randomUUID(), { limit: 10 })).toEqual([]);
        await expectAppError(
          store.executions.appendJobLog(randomUUID(), "drsjob-1", [item(0, "JOB_START")]),
          NotFoundError,
          "EXECUTION_NOT_FOUND",
        );
      });

      it("delete removes executions with their events, commands and job logs and counts those that existed", async () => {
        const doomed = await store.executions.create(execution(), {
          events: [{ at: T0, type: "execution.started", message: "started" }],
        });
        const kept = await store.executions.create(execution(), {
          events: [{ at: T0, type: "execution.started", message: "started" }],
        });
        await store.executions.appendCommand(doomed.executionId, { type: "pause", by: "bob", at: T0 });
        await store.executions.appendJobLog(doomed.executionId, "drsjob-1", [
          { index: 0, at: iso(T0), event: "JOB_START" },
        ]);
        await store.executions.acquireLease(doomed.executionId, "a", T0, 60_000);
        expect(await store.executions.delete([doomed.executionId, randomUUID(), doomed.executionId])).toBe(1);
        expect(await store.executions.delete([])).toBe(0);
        expect(await store.executions.get(doomed.executionId)).toBeUndefined();
        expect(await store.executions.getSummary(doomed.executionId)).toBeUndefined();
        expect(await store.executions.events(doomed.executionId, 0, 10)).toEqual([]);
        expect(await store.executions.commandsAfter(doomed.executionId, 0)).toEqual([]);
        expect(await store.executions.jobLog(doomed.executionId, { limit: 10 })).toEqual([]);
        expect((await store.executions.list({}, DESC_START, {})).items.map((s) => s.executionId)).toEqual([
          kept.executionId,
        ]);
        expect(await store.executions.events(kept.executionId, 0, 10)).toHaveLength(1);
        // The ID can be reused from a clean slate.
        await store.executions.create(doomed, { events: [{ at: T0, type: "again", message: "again" }] });
        expect((await store.executions.events(doomed.executionId, 0, 10)).map((e) => e.seq)).toEqual([1]);
        expect(
          await store.executions.appendCommand(doomed.executionId, { type: "pause", by: "bob", at: T0 }),
        ).toBe(1);
        expect(await store.executions.acquireLease(doomed.executionId, "b", T0, 1000)).toBe(true);
      });
    });

    describe("accounts", () => {
      it("create, get, list (by account ID), update with versions and delete", async () => {
        const b = await store.accounts.create(account({ accountId: ACCOUNT_B, version: 3 }));
        const a = await store.accounts.create(account({ accountId: ACCOUNT_A }));
        expect(b.version).toBe(1);
        expect(await store.accounts.get(ACCOUNT_B)).toEqual(b);
        expect(await store.accounts.get("999999999999")).toBeUndefined();
        expect(await store.accounts.list()).toEqual([a, b]);
        await expectAppError(
          store.accounts.create(account({ accountId: ACCOUNT_A })),
          ConflictError,
          "ALREADY_EXISTS",
        );
        const updated = await store.accounts.update({ ...a, regions: ["eu-west-1"] }, 1);
        expect(updated).toEqual({ ...a, regions: ["eu-west-1"], version: 2 });
        await expectAppError(
          store.accounts.update({ ...a, name: "stale" }, 1),
          PreconditionFailedError,
          "VERSION_MISMATCH",
        );
        expect(await store.accounts.get(ACCOUNT_A)).toEqual(updated);
        await expectAppError(
          store.accounts.update(account({ accountId: "999999999999" }), 1),
          NotFoundError,
          "ACCOUNT_NOT_FOUND",
        );
        await expectAppError(
          store.accounts.delete(ACCOUNT_A, 1),
          PreconditionFailedError,
          "VERSION_MISMATCH",
        );
        await store.accounts.delete(ACCOUNT_A, 2);
        await store.accounts.delete(ACCOUNT_B);
        await expectAppError(store.accounts.delete(ACCOUNT_B), NotFoundError, "ACCOUNT_NOT_FOUND");
        expect(await store.accounts.list()).toEqual([]);
      });
    });

    describe("settings", () => {
      it("start empty; expectedVersion 0 creates, then each put needs the current version", async () => {
        expect(await store.settings.get()).toBeUndefined();
        await expectAppError(
          store.settings.put(DEFAULT_SETTINGS, 1),
          PreconditionFailedError,
          "VERSION_MISMATCH",
        );
        expect(await store.settings.get()).toBeUndefined();
        expect(await store.settings.put(DEFAULT_SETTINGS, 0)).toEqual({
          settings: DEFAULT_SETTINGS,
          version: 1,
        });
        await expectAppError(
          store.settings.put({ ...DEFAULT_SETTINGS, drillTtlHours: 1 }, 0),
          PreconditionFailedError,
          "VERSION_MISMATCH",
        );
        const changed = {
          ...DEFAULT_SETTINGS,
          pollIntervalSeconds: 15,
          webhooks: [{ url: "https://hooks.example.com/drso" }],
        };
        expect(await store.settings.put(changed, 1)).toEqual({ settings: changed, version: 2 });
        await expectAppError(
          store.settings.put(DEFAULT_SETTINGS, 1),
          PreconditionFailedError,
          "VERSION_MISMATCH",
        );
        expect(await store.settings.get()).toEqual({ settings: changed, version: 2 });
      });
    });

    describe("users", () => {
      it("create, find by email case-insensitively, list, count, update with versions and delete", async () => {
        const alice = await store.users.create(user({ email: "alice@example.com", version: 5 }));
        const bob = await store.users.create(user({ email: "bob@example.com", role: "DRSViewer" }));
        expect(alice.version).toBe(1);
        expect(await store.users.get(alice.userId)).toEqual(alice);
        expect(await store.users.findByEmail("ALICE@Example.com")).toEqual(alice);
        expect(await store.users.findByEmail("carol@example.com")).toBeUndefined();
        expect(await store.users.count()).toBe(2);
        expect(sortBy(await store.users.list(), (u) => u.email)).toEqual([alice, bob]);
        const locked = await store.users.update(
          { ...alice, failedAttempts: 5, lockedUntil: iso(T0 + 900_000) },
          1,
        );
        expect(locked.version).toBe(2);
        await expectAppError(
          store.users.update({ ...alice, failedAttempts: 0 }, 1),
          PreconditionFailedError,
          "VERSION_MISMATCH",
        );
        expect(await store.users.get(alice.userId)).toEqual(locked);
        await expectAppError(store.users.update(user(), 1), NotFoundError, "USER_NOT_FOUND");
        await store.users.delete(bob.userId);
        await expectAppError(store.users.delete(bob.userId), NotFoundError, "USER_NOT_FOUND");
        expect(await store.users.count()).toBe(1);
        expect(await store.users.findByEmail("bob@example.com")).toBeUndefined();
      });

      it("emails are unique case-insensitively, and user IDs are unique", async () => {
        const alice = await store.users.create(user({ email: "alice@example.com" }));
        const bob = await store.users.create(user({ email: "bob@example.com" }));
        await expectAppError(
          store.users.create(user({ email: "Alice@EXAMPLE.com" })),
          ConflictError,
          "ALREADY_EXISTS",
        );
        await expectAppError(
          store.users.create(user({ userId: alice.userId, email: "carol@example.com" })),
          ConflictError,
          "ALREADY_EXISTS",
        );
        await expectAppError(
          store.users.update({ ...bob, email: "ALICE@example.com" }, 1),
          ConflictError,
          "ALREADY_EXISTS",
        );
        expect(await store.users.get(bob.userId)).toEqual(bob);
        expect(await store.users.count()).toBe(2);
        // Deleting a user frees the email.
        await store.users.delete(alice.userId);
        await store.users.create(user({ email: "alice@example.com" }));
      });
    });

    describe("refresh tokens", () => {
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

    describe("audit log", () => {
      const events = (): AuditEvent[] => [
        auditEvent({ at: iso(T0 + 1000), action: "auth.login", targetType: "user", targetId: "user-alice" }),
        auditEvent({ at: iso(T0 + 2000), action: "protection-group.create", targetId: "pg-1" }),
        auditEvent({
          at: iso(T0 + 3000),
          actor: { sub: "user-bob", email: "bob@example.com", role: "DRSViewer" },
          action: "protection-group.delete",
          targetId: "pg-1",
          outcome: "denied",
          status: 403,
        }),
        auditEvent({
          at: iso(T0 + 4000),
          action: "execution.start",
          targetType: "execution",
          targetId: "exec-1",
          detail: { executionType: "DRILL" },
        }),
        auditEvent({
          at: iso(T0 + 5000),
          actor: { sub: "user-bob", email: "bob@example.com" },
          action: "auth.login",
          targetType: "user",
          targetId: "user-bob",
          outcome: "failure",
          status: 401,
        }),
      ];

      it("lists newest first and filters by every field, with inclusive time bounds", async () => {
        const appended = events();
        for (const e of [appended[2]!, appended[0]!, appended[4]!, appended[1]!, appended[3]!]) {
          await store.audit.append(e);
        }
        const newestFirst = [...appended].reverse();
        const list = async (filter: AuditFilter) => (await store.audit.list(filter, {})).items;
        expect(await list({})).toEqual(newestFirst);
        const expectIds = async (filter: AuditFilter, predicate: (e: AuditEvent) => boolean) =>
          expect((await list(filter)).map((e) => e.eventId)).toEqual(
            newestFirst.filter(predicate).map((e) => e.eventId),
          );
        await expectIds({ actor: "user-bob" }, (e) => e.actor.sub === "user-bob");
        await expectIds({ actor: "bob@example.com" }, (e) => e.actor.sub === "user-bob");
        await expectIds({ action: "auth.login" }, (e) => e.action === "auth.login");
        await expectIds({ targetType: "user" }, (e) => e.targetType === "user");
        await expectIds({ targetId: "pg-1" }, (e) => e.targetId === "pg-1");
        await expectIds({ outcome: "denied" }, (e) => e.outcome === "denied");
        await expectIds(
          { from: iso(T0 + 2000), to: iso(T0 + 4000) },
          (e) => e.at >= iso(T0 + 2000) && e.at <= iso(T0 + 4000),
        );
        await expectIds(
          { action: "auth.login", outcome: "success" },
          (e) => e.action === "auth.login" && e.outcome === "success",
        );
      });

      it("pages newest first without gaps or duplicates and rejects a token with other filters", async () => {
        for (const e of events()) await store.audit.append(e);
        for (let i = 0; i < 4; i++) await store.audit.append(auditEvent({ at: iso(T0 + 3000) }));
        const whole = (await store.audit.list({}, { limit: 100 })).items.map((e) => e.eventId);
        expect(whole).toHaveLength(9);
        for (const limit of [1, 2, 4]) {
          const walked = await walk((page) => store.audit.list({}, page), limit);
          expect(walked.map((e) => e.eventId)).toEqual(whole);
        }
        const first = await store.audit.list({ outcome: "success" }, { limit: 1 });
        await expectAppError(
          store.audit.list({ outcome: "failure" }, { nextToken: first.nextToken! }),
          ValidationError,
          "INVALID_NEXT_TOKEN",
        );
      });

      it("is append-only: a duplicate event ID is refused and the original kept", async () => {
        const original = auditEvent();
        await store.audit.append(original);
        await expectAppError(
          store.audit.append({ ...original, outcome: "failure", action: "tampered" }),
          ConflictError,
          "ALREADY_EXISTS",
        );
        expect((await store.audit.list({}, {})).items).toEqual([original]);
      });
    });

    describe("key-value store and liveness", () => {
      it("putIfAbsent keeps the first value and returns the winner", async () => {
        expect(await store.kv.get("jwt-signing-key")).toBeUndefined();
        expect(await store.kv.putIfAbsent("jwt-signing-key", "first")).toBe("first");
        expect(await store.kv.putIfAbsent("jwt-signing-key", "second")).toBe("first");
        expect(await store.kv.get("jwt-signing-key")).toBe("first");
        const racers = await Promise.all([
          store.kv.putIfAbsent("race", "x"),
          store.kv.putIfAbsent("race", "y"),
        ]);
        expect(racers[0]).toBe(racers[1]);
        expect(await store.kv.get("race")).toBe(racers[0]);
      });

      it("ping resolves", async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });
    });

    describe("data isolation", () => {
      it("protection groups and plans: neither the input nor a returned object aliases what is stored", async () => {
        const input = explicitGroup({ name: "isolated" });
        const servers = [...input.sourceServerIds!];
        const created = await store.protectionGroups.create(input);
        input.sourceServerIds!.push(sid());
        input.name = "mutated input";
        created.sourceServerIds!.pop();
        const fetched = (await store.protectionGroups.get(created.groupId))!;
        expect(fetched.sourceServerIds).toEqual(servers);
        expect(fetched.name).toBe("isolated");
        fetched.sourceServerIds!.length = 0;
        (await store.protectionGroups.listAll())[0]!.name = "mutated list";
        (await store.protectionGroups.list({}, {})).items[0]!.sourceServerIds!.push("s-x");
        expect((await store.protectionGroups.get(created.groupId))!.sourceServerIds).toEqual(servers);
        expect((await store.protectionGroups.findByName("isolated"))?.groupId).toBe(created.groupId);

        const groupId = randomUUID();
        const plan = recoveryPlan([groupId]);
        const stored = await store.recoveryPlans.create(plan);
        plan.waves[0]!.protectionGroupIds.push(randomUUID());
        stored.waves.pop();
        (await store.recoveryPlans.get(plan.planId))!.waves[0]!.name = "mutated";
        (await store.recoveryPlans.list({}, {})).items[0]!.waves.length = 0;
        expect((await store.recoveryPlans.get(plan.planId))!.waves).toEqual([wave("wave-1", [groupId])]);
      });

      it("executions, summaries, events, commands, job logs and active usage are copies", async () => {
        const input = execution();
        const pristine = structuredClone(input);
        const events = [{ at: T0, type: "execution.started", message: "started", data: { n: 1 } }];
        const created = await store.executions.create(input, { events });
        input.waves[0]!.servers[0]!.status = "FAILED";
        events[0]!.data.n = 2;
        created.waves[0]!.status = "FAILED";
        (await store.executions.get(input.executionId))!.snapshot.groups.pop();
        (await store.executions.getSummary(input.executionId))!.serverCount = 99;
        (await store.executions.list({}, DESC_START, {})).items[0]!.status = "FAILED";
        (await store.executions.events(input.executionId, 0, 10))[0]!.message = "tampered";
        (await store.executions.listActive())[0]!.serverKeys.pop();
        expect(await store.executions.get(input.executionId)).toEqual({ ...pristine, version: 1 });
        expect(await store.executions.getSummary(input.executionId)).toEqual(summarize(pristine));
        expect((await store.executions.events(input.executionId, 0, 10))[0]).toMatchObject({
          message: "started",
          data: { n: 1 },
        });
        expect((await store.executions.listActive())[0]!.serverKeys).toEqual(serverKeysOf(pristine));

        await store.executions.appendCommand(input.executionId, { type: "pause", by: "bob", at: T0 });
        (await store.executions.commandsAfter(input.executionId, 0))[0]!.by = "mallory";
        expect((await store.executions.commandsAfter(input.executionId, 0))[0]!.by).toBe("bob");
        const log = [{ index: 0, at: iso(T0), event: "JOB_START" }];
        await store.executions.appendJobLog(input.executionId, "drsjob-1", log);
        log[0]!.event = "TAMPERED";
        (await store.executions.jobLog(input.executionId, { limit: 10 }))[0]!.event = "TAMPERED";
        expect((await store.executions.jobLog(input.executionId, { limit: 10 }))[0]!.event).toBe("JOB_START");
      });

      it("accounts, settings, users, refresh tokens and audit events are copies", async () => {
        const acct = account({ accountId: ACCOUNT_A });
        await store.accounts.create(acct);
        acct.regions.push("eu-west-1");
        (await store.accounts.get(ACCOUNT_A))!.regions.push("eu-west-2");
        (await store.accounts.list())[0]!.regions.length = 0;
        expect((await store.accounts.get(ACCOUNT_A))!.regions).toEqual(["us-east-1", "us-west-2"]);

        const settings = structuredClone(DEFAULT_SETTINGS);
        await store.settings.put(settings, 0);
        settings.quotas.concurrentJobs = 1;
        (await store.settings.get())!.settings.quotas.serversPerJob = 1;
        expect((await store.settings.get())!.settings).toEqual(DEFAULT_SETTINGS);

        const u = user();
        await store.users.create(u);
        u.role = "DRSAdmin";
        (await store.users.get(u.userId))!.disabled = true;
        (await store.users.list())[0]!.failedAttempts = 3;
        expect(await store.users.get(u.userId)).toEqual({ ...u, role: "DRSOperator", version: 1 });

        const t = { tokenHash: "h1", userId: u.userId, issuedAt: iso(T0), expiresAt: iso(T0 + H) };
        await store.refreshTokens.put(t);
        t.userId = "someone-else";
        (await store.refreshTokens.get("h1"))!.expiresAt = iso(T0 + 100 * H);
        expect(await store.refreshTokens.get("h1")).toEqual({ ...t, userId: u.userId });

        const e = auditEvent({ detail: { changed: ["name"] } });
        const pristine = structuredClone(e);
        await store.audit.append(e);
        e.actor.sub = "forged";
        (e.detail!.changed as string[]).push("owner");
        (await store.audit.list({}, {})).items[0]!.outcome = "denied";
        expect((await store.audit.list({}, {})).items).toEqual([pristine]);
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------------------
// Fixtures: small but valid records, each with fresh IDs.

const ACCOUNT_A = "111122223333";
const ACCOUNT_B = "444455556666";
const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);
const H = 3_600_000;
const DESC_START: ExecutionSort = { by: "startTime", order: "desc" };
const ALL_SORTS: ExecutionSort[] = (["startTime", "endTime", "status"] as const).flatMap((by) =>
  (["asc", "desc"] as const).map((order) => ({ by, order })),
);

const iso = (ms: number) => new Date(ms).toISOString();
const hex = (bytes: number) => randomBytes(bytes).toString("hex");

/** A DRS source server ID: `s-` and 17 characters. */
function sid(): string {
  return `s-${hex(9).slice(0, 17)}`;
}

function sortBy<T>(items: T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function ids(items: readonly { executionId: string }[]): string[] {
  return items.map((e) => e.executionId).sort();
}

function explicitGroup(overrides: Partial<ProtectionGroup> = {}): ProtectionGroup {
  return {
    groupId: randomUUID(),
    name: `web tier ${hex(4)}`,
    description: "Front-end web servers",
    accountId: ACCOUNT_A,
    region: "us-east-1",
    selectionMode: "explicit",
    sourceServerIds: [sid(), sid()],
    launchSettings: { launchDisposition: "STARTED", copyTags: true },
    owner: "alice@example.com",
    createdAt: iso(T0),
    updatedAt: iso(T0),
    version: 1,
    ...overrides,
  };
}

function tagGroup(overrides: Partial<ProtectionGroup> = {}): ProtectionGroup {
  return {
    groupId: randomUUID(),
    name: `billing db ${hex(4)}`,
    accountId: ACCOUNT_A,
    region: "us-east-1",
    selectionMode: "tags",
    serverSelectionTags: { Application: "billing", Tier: "db" },
    owner: "alice@example.com",
    createdAt: iso(T0),
    updatedAt: iso(T0),
    version: 1,
    ...overrides,
  };
}

function wave(waveId: string, protectionGroupIds: string[]): Wave {
  return {
    waveId,
    name: `Wave ${waveId}`,
    protectionGroupIds,
    dependsOn: [],
    pauseBefore: false,
    preActions: [],
    postActions: [{ type: "http", url: "https://health.example.com/ready", expectStatus: [200] }],
    onFailure: "abort",
    timeoutSeconds: 7200,
  };
}

function recoveryPlan(groupIds: string[], overrides: Partial<RecoveryPlan> = {}): RecoveryPlan {
  return {
    planId: randomUUID(),
    name: `tier-1 apps ${hex(4)}`,
    description: "Customer-facing applications",
    rpoSeconds: 300,
    rtoSeconds: 3600,
    waves: [wave("wave-1", groupIds)],
    owner: "alice@example.com",
    createdAt: iso(T0),
    updatedAt: iso(T0),
    version: 1,
    ...overrides,
  };
}

function execution(overrides: Partial<Execution> = {}): Execution {
  const executionId = overrides.executionId ?? randomUUID();
  const planId = overrides.planId ?? randomUUID();
  const groupId = randomUUID();
  const servers = [sid(), sid(), sid()];
  const jobId = `drsjob-${hex(9).slice(0, 17)}`;
  const serverRuns: ServerRun[] = servers.map((sourceServerId, i) => ({
    sourceServerId,
    hostname: `web-0${i + 1}.corp.example.com`,
    accountId: ACCOUNT_A,
    region: "us-east-1",
    groupId,
    status: i === 0 ? "LAUNCHED" : "IN_PROGRESS",
    batchId: "wave-1/1",
    jobId,
  }));
  const batch: BatchRun = {
    batchId: "wave-1/1",
    kind: "recovery",
    accountId: ACCOUNT_A,
    region: "us-east-1",
    sourceServerIds: servers,
    status: "ACTIVE",
    attempt: 1,
    intentAt: T0 + 1000,
    jobId,
    jobStatus: "STARTED",
    submittedAt: T0 + 1500,
    logCount: 2,
    errorCount: 0,
  };
  const waveRun: WaveRun = {
    waveId: "wave-1",
    name: "Web tier",
    status: "RUNNING",
    phase: "launching",
    onFailure: "abort",
    dependsOn: [],
    pauseBefore: false,
    pauseCleared: false,
    startTime: T0 + 1000,
    servers: serverRuns,
    batches: [batch],
    actions: [],
  };
  return {
    executionId,
    planId,
    planName: "Tier-1 applications",
    executionType: "DRILL",
    status: "RUNNING",
    initiatedBy: "alice@example.com",
    startTime: T0,
    options: { reverseWaveOrder: false },
    snapshot: {
      plan: {
        planId,
        name: "Tier-1 applications",
        rpoSeconds: 300,
        rtoSeconds: 3600,
        version: 3,
        waves: [wave("wave-1", [groupId])],
      },
      groups: [
        {
          groupId,
          name: "web tier",
          accountId: ACCOUNT_A,
          region: "us-east-1",
          selectionMode: "explicit",
          servers: serverRuns.map((s) => ({ sourceServerId: s.sourceServerId, hostname: s.hostname })),
        },
      ],
    },
    waves: [waveRun],
    appliedCommandSeq: 0,
    createdAt: T0,
    updatedAt: T0,
    version: 1,
    ...overrides,
  };
}

/** The same execution, ended at `endTime` with every server launched and its jobs done. */
function finished(
  e: Execution,
  endTime: number,
  status: "COMPLETED" | "FAILED" | "CANCELLED" = "COMPLETED",
): Execution {
  const { wakeAt: _wakeAt, ...rest } = e;
  return {
    ...rest,
    status,
    endTime,
    updatedAt: endTime,
    waves: e.waves.map((w) => ({
      ...w,
      status,
      endTime,
      servers: w.servers.map((s) => ({ ...s, status: "LAUNCHED" as const, launchedAt: iso(endTime - 1000) })),
      batches: w.batches.map((b) => ({ ...b, status: "DONE" as const, jobStatus: "COMPLETED" as const })),
    })),
  };
}

function account(overrides: Partial<Account> & { accountId: string }): Account {
  return {
    name: "Recovery account",
    roleArn: `arn:aws:iam::${overrides.accountId}:role/DRSOrchestrationRole`,
    externalId: "drso-external-id-1234",
    regions: ["us-east-1", "us-west-2"],
    createdAt: iso(T0),
    updatedAt: iso(T0),
    version: 1,
    ...overrides,
  };
}

function user(overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    userId: randomUUID(),
    email: `user-${hex(4)}@example.com`,
    role: "DRSOperator",
    passwordHash: `scrypt$16384$8$1$${hex(16)}$${hex(32)}`,
    disabled: false,
    failedAttempts: 0,
    createdAt: iso(T0),
    updatedAt: iso(T0),
    version: 1,
    ...overrides,
  };
}

function auditEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    eventId: randomUUID(),
    at: iso(T0),
    actor: { sub: "user-alice", email: "alice@example.com", role: "DRSAdmin" },
    action: "protection-group.create",
    targetType: "protection-group",
    targetId: randomUUID(),
    outcome: "success",
    status: 201,
    requestId: randomUUID(),
    sourceIp: "10.0.0.5",
    userAgent: "drsctl/0.1.0",
    ...overrides,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Assertion helpers.

async function expectAppError<E extends AppError>(
  call: Promise<unknown>,
  type: abstract new (...args: never[]) => E,
  code: string,
): Promise<E> {
  let failure: unknown;
  let failed = false;
  try {
    await call;
  } catch (error) {
    failure = error;
    failed = true;
  }
  expect(failed, `expected ${type.name} ${code}, but the call succeeded`).toBe(true);
  expect(failure).toBeInstanceOf(type);
  expect((failure as E).code).toBe(code);
  return failure as E;
}

/** Follows nextToken until the end; every page but the last must be full. */
async function walk<T>(
  fetch: (page: PageRequest) => Promise<Page<T>>,
  limit: number,
  startToken?: string,
): Promise<T[]> {
  const items: T[] = [];
  let token = startToken;
  for (let pages = 0; pages < 1000; pages++) {
    const request: PageRequest = { limit };
    if (token !== undefined) request.nextToken = token;
    const page = await fetch(request);
    items.push(...page.items);
    if (page.nextToken === undefined) return items;
    expect(page.items).toHaveLength(limit);
    token = page.nextToken;
  }
  throw new Error("pagination did not terminate after 1000 pages");
}
