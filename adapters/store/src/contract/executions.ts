import { randomUUID } from "node:crypto";
import {
  ConflictError,
  type Execution,
  NotFoundError,
  PreconditionFailedError,
  type Store,
  summarize,
} from "@drso/core";
import { beforeEach, describe, expect, it } from "vitest";
import { DESC_START, execution, expectAppError, finished, iso, sid, T0 } from "./fixtures.js";

/**
 * Store contract: execution records: create, save, events, commands, job logs, delete.
 *
 * Part of the Store port's behavioural contract (packages/core/src/ports/store.ts); describeStoreContract
 * (../store.contract.ts) runs it against every adapter with a fresh, empty store per test,
 * which `current()` returns. Fixtures and assertion helpers are in ./fixtures.ts.
 */
export function describeExecutionContract(current: () => Store): void {
  describe("executions", () => {
    let store: Store;
    beforeEach(() => {
      store = current();
    });

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
      const indices = async (query: {
        jobId?: string;
        afterJobId?: string;
        afterIndex?: number;
        limit: number;
      }) => (await store.executions.jobLog(a.executionId, query)).map((i) => i.index);
      expect(await indices({ jobId: "drsjob-1111111111111111a", afterIndex: 1, limit: 100 })).toEqual([2, 3]);
      expect(await indices({ jobId: "drsjob-1111111111111111a", limit: 2 })).toEqual([0, 1]);
      expect(await indices({ jobId: "drsjob-2222222222222222b", limit: 100 })).toEqual([0, 1]);
      const everything = await store.executions.jobLog(a.executionId, { limit: 100 });
      expect(everything).toHaveLength(6);
      for (const jobId of ["drsjob-1111111111111111a", "drsjob-2222222222222222b"]) {
        const own = everything.filter((i) => i.jobId === jobId).map((i) => i.index);
        expect(own).toEqual([...own].sort((x, y) => x - y));
      }
      // Paging across jobs by (jobId, index), two at a time, returns every item once, in order.
      const pages: string[] = [];
      let cursor: { afterJobId?: string; afterIndex?: number } = {};
      for (let n = 0; n < 10; n++) {
        const page = await store.executions.jobLog(a.executionId, { ...cursor, limit: 2 });
        pages.push(...page.map((i) => `${i.jobId}#${i.index}`));
        const last = page.at(-1);
        if (!last) break;
        cursor = { afterJobId: last.jobId, afterIndex: last.index };
      }
      expect(pages).toEqual(everything.map((i) => `${i.jobId}#${i.index}`));
      expect(
        (
          await store.executions.jobLog(a.executionId, { afterJobId: "drsjob-1111111111111111a", limit: 100 })
        ).map((i) => `${i.jobId}#${i.index}`),
      ).toEqual(everything.map((i) => `${i.jobId}#${i.index}`));
      // One job's items after a cursor in another job: all of them when that job sorts first, else none.
      const job2 = "drsjob-2222222222222222b";
      expect(
        await indices({ jobId: job2, afterJobId: "drsjob-1111111111111111a", afterIndex: 3, limit: 100 }),
      ).toEqual([0, 1]);
      expect(await indices({ jobId: "drsjob-1111111111111111a", afterJobId: job2, limit: 100 })).toEqual([]);
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
}
