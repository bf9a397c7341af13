import { type AuditEvent, type AuditFilter, ConflictError, type Store, ValidationError } from "@drso/core";
import { beforeEach, describe, expect, it } from "vitest";
import { auditEvent, expectAppError, iso, T0, walk } from "./fixtures.js";

/**
 * Store contract: audit log: append-only events, filters and pages.
 *
 * Part of the Store port's behavioural contract (packages/core/src/ports/store.ts); describeStoreContract
 * (../store.contract.ts) runs it against every adapter with a fresh, empty store per test,
 * which `current()` returns. Fixtures and assertion helpers are in ./fixtures.ts.
 */
export function describeAuditLogContract(current: () => Store): void {
  describe("audit log", () => {
    let store: Store;
    beforeEach(() => {
      store = current();
    });

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
}
