import {
  ConflictError,
  type Execution,
  type ExecutionSummary,
  isTerminal,
  type Store,
  ValidationError,
} from "@drso/core";

/**
 * Part of the execution service: what executions recorded (DRS job logs, events) and removing finished ones with
 * all they recorded. `require` loads an execution or throws its 404.
 */
export function executionRecords(store: Store, require: (executionId: string) => Promise<Execution>) {
  return {
    async jobLogs(
      id: string,
      query: { jobId?: string; afterJobId?: string; afterIndex?: number; limit?: number },
    ) {
      const e = await require(id);
      const jobs = [...e.waves.flatMap((w) => w.batches), ...(e.termination?.batches ?? [])].filter(
        (b) => b.jobId,
      );
      const items = await store.executions.jobLog(id, { ...query, limit: query.limit ?? 1000 });
      // The hostname beside each server id: the log is read by people, DRS ids alone say little.
      const hostnames = new Map<string, string>();
      for (const w of e.waves) for (const s of w.servers) hostnames.set(s.sourceServerId, s.hostname);
      return {
        executionId: id,
        jobs: jobs.map((b) => ({
          jobId: b.jobId!,
          batchId: b.batchId,
          accountId: b.accountId,
          region: b.region,
          status: b.jobStatus ?? b.status,
        })),
        items: items.map((i) => {
          const hostname = i.sourceServerId ? hostnames.get(i.sourceServerId) : undefined;
          return hostname ? { ...i, hostname } : i;
        }),
      };
    },

    async events(id: string, afterSeq: number, limit: number) {
      await require(id);
      return store.executions.events(id, afterSeq, limit);
    },

    async delete(ids: string[]) {
      const active: ExecutionSummary[] = [];
      const missing: string[] = [];
      for (const id of ids) {
        const s = await store.executions.getSummary(id);
        if (!s) missing.push(id);
        else if (!isTerminal(s.status)) active.push(s);
      }
      if (active.length > 0) {
        throw new ConflictError(
          "EXECUTION_ACTIVE",
          `Cannot delete running executions: ${active.map((s) => `${s.executionId} (${s.status})`).join(", ")}. Nothing was deleted.`,
          {
            executionIds: active.map((s) => s.executionId),
          },
        );
      }
      const deleted = await store.executions.delete(ids.filter((id) => !missing.includes(id)));
      return { deleted, notFound: missing };
    },

    /** Deletes every finished execution matching the filter (never a running one). */
    async deleteCompleted(query: { planId?: string; before?: string }) {
      const before = query.before ? Date.parse(query.before) : undefined;
      if (query.before && Number.isNaN(before))
        throw new ValidationError("before must be an ISO date-time.", [
          { path: "before", message: "invalid date" },
        ]);
      const ids: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await store.executions.list(
          {
            ...(query.planId ? { planId: query.planId } : {}),
            status: ["COMPLETED", "FAILED", "CANCELLED"],
            ...(before !== undefined ? { startTo: before } : {}),
          },
          { by: "startTime", order: "asc" },
          { limit: 100, ...(nextToken ? { nextToken } : {}) },
        );
        ids.push(...page.items.map((s) => s.executionId));
        nextToken = page.nextToken;
      } while (nextToken);
      const deleted = ids.length > 0 ? await store.executions.delete(ids) : 0;
      return { deleted };
    },
  };
}
