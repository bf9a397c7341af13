import { randomUUID } from "node:crypto";
import { DEFAULT_SETTINGS, type Store, serverKeysOf, summarize } from "@drso/core";
import { beforeEach, describe, expect, it } from "vitest";
import {
  ACCOUNT_A,
  account,
  auditEvent,
  DESC_START,
  execution,
  explicitGroup,
  H,
  iso,
  recoveryPlan,
  sid,
  T0,
  user,
  wave,
} from "./fixtures.js";

/**
 * Store contract: data isolation: no repository aliases what it stores.
 *
 * Part of the Store port's behavioural contract (packages/core/src/ports/store.ts); describeStoreContract
 * (../store.contract.ts) runs it against every adapter with a fresh, empty store per test,
 * which `current()` returns. Fixtures and assertion helpers are in ./fixtures.ts.
 */
export function describeDataIsolationContract(current: () => Store): void {
  describe("data isolation", () => {
    let store: Store;
    beforeEach(() => {
      store = current();
    });

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
}
