import { buildReport, type ExecutionEventBus, reportMarkdown } from "@drso/app";
import { z } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { COMMON_ERRORS, jsonResponse, NOT_FOUND, type RouteKit } from "../route-kit.js";
import { IdParam } from "../schemas.js";
import { ExecutionJobLogsSchema, ExecutionReportSchema } from "./execution-schemas.js";
import { stripUndefined } from "./protection-groups.js";

const tags = ["Executions"];
/** Upper bound of the afterSeq / afterIndex cursors (int32): far above any execution's event or log count. */
const MAX_CURSOR = 2_147_483_647;
const Loose = z.record(z.string(), z.unknown());
const EventSchema = z
  .object({
    executionId: z.string(),
    seq: z.number().int(),
    at: z.number(),
    type: z.string(),
    waveId: z.string().optional(),
    message: z.string(),
    data: Loose.optional(),
  })
  .openapi("ExecutionEvent");

/** The routes that read what an execution recorded: its DRS job logs, its events (polled or streamed), its report. */
export function registerExecutionRecordRoutes(kit: RouteKit, options: { bus?: ExecutionEventBus }) {
  kit.add(
    {
      method: "get",
      path: "/executions/{id}/job-logs",
      access: "drs:ViewResources",
      tags,
      summary: "DRS job log items of this execution's jobs, as fetched by the engine",
      request: {
        params: IdParam,
        query: z.object({
          jobId: z
            .string()
            .regex(/^drsjob-[0-9a-zA-Z]{17}$/)
            .max(24)
            .optional(),
          afterJobId: z
            .string()
            .regex(/^drsjob-[0-9a-zA-Z]{17}$/)
            .max(24)
            .optional()
            .describe(
              "Page across jobs: with afterIndex, the items after that job's item afterIndex, in (jobId, index) order. Pass the last item's jobId and index.",
            ),
          afterIndex: z.coerce
            .number()
            .int()
            .min(-1)
            .max(MAX_CURSOR)
            .optional()
            .describe(
              "Alone or with jobId: the items after this index within each job; with afterJobId: the cursor.",
            ),
          limit: z.coerce.number().int().min(1).max(5000).optional(),
        }),
      },
      responses: {
        200: jsonResponse(ExecutionJobLogsSchema, "Job logs"),
        ...COMMON_ERRORS,
        ...NOT_FOUND,
      },
    },
    async (c) =>
      c.json(
        (await c.var.services.executions.jobLogs(
          c.req.valid("param").id,
          stripUndefined(c.req.valid("query")),
        )) as never,
        200,
      ),
  );
  kit.add(
    {
      method: "get",
      path: "/executions/{id}/events",
      access: "drs:ViewResources",
      tags,
      summary: "The execution's event timeline (poll with afterSeq)",
      request: {
        params: IdParam,
        query: z.object({
          afterSeq: z.coerce.number().int().min(0).max(MAX_CURSOR).optional(),
          limit: z.coerce.number().int().min(1).max(1000).optional(),
        }),
      },
      responses: {
        200: jsonResponse(z.object({ items: z.array(EventSchema) }), "Events"),
        ...COMMON_ERRORS,
        ...NOT_FOUND,
      },
    },
    async (c) => {
      const q = c.req.valid("query");
      return c.json(
        {
          items: await c.var.services.executions.events(
            c.req.valid("param").id,
            q.afterSeq ?? 0,
            q.limit ?? 500,
          ),
        } as never,
        200,
      );
    },
  );
  kit.add(
    {
      method: "get",
      path: "/executions/{id}/events/stream",
      access: "drs:ViewResources",
      tags,
      summary: "Server-sent events: the timeline live (honours Last-Event-ID)",
      request: {
        params: IdParam,
        query: z.object({ afterSeq: z.coerce.number().int().min(0).max(MAX_CURSOR).optional() }),
      },
      responses: {
        200: {
          description: "text/event-stream of `execution-event` messages",
          content: { "text/event-stream": { schema: z.string() } },
        },
        ...COMMON_ERRORS,
        ...NOT_FOUND,
      },
    },
    async (c) => {
      const id = c.req.valid("param").id;
      const service = c.var.services.executions;
      await service.require(id);
      const lastEventId = Number(c.req.header("last-event-id"));
      let cursor =
        Number.isInteger(lastEventId) && lastEventId > 0 ? lastEventId : (c.req.valid("query").afterSeq ?? 0);
      return streamSSE(c, async (stream) => {
        let wake: (() => void) | undefined;
        const unsubscribe = options.bus?.subscribe(id, () => wake?.());
        stream.onAbort(() => wake?.());
        const deadline = Date.now() + 10 * 60_000;
        try {
          while (!stream.aborted && Date.now() < deadline) {
            const events = await service.events(id, cursor, 500);
            for (const e of events) {
              await stream.writeSSE({ id: String(e.seq), event: "execution-event", data: JSON.stringify(e) });
              cursor = e.seq;
            }
            if (events.length === 500) continue;
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, options.bus ? 15_000 : 2_000);
              wake = () => {
                clearTimeout(timer);
                resolve();
              };
            });
            if (!stream.aborted) await stream.write(": keep-alive\n\n");
          }
        } finally {
          unsubscribe?.();
        }
      }) as never;
    },
  );
  kit.add(
    {
      method: "get",
      path: "/executions/{id}/report",
      access: "drs:ViewResources",
      tags,
      summary: "The drill/recovery report (JSON, or Markdown with format=markdown)",
      request: { params: IdParam, query: z.object({ format: z.enum(["json", "markdown"]).optional() }) },
      responses: {
        200: {
          description: "Report",
          content: {
            "application/json": { schema: ExecutionReportSchema },
            "text/markdown": { schema: z.string() },
          },
        },
        ...COMMON_ERRORS,
        ...NOT_FOUND,
      },
    },
    async (c) => {
      const e = await c.var.services.executions.require(c.req.valid("param").id);
      // Every event, for the human actions (bounded: an execution's events are finite; pages of 1000).
      const events = [];
      for (let after = 0, page = 0; page < 1000; page++) {
        const batch = await c.var.services.executions.events(e.executionId, after, 1000);
        events.push(...batch);
        if (batch.length < 1000) break;
        after = batch.at(-1)!.seq;
      }
      const report = buildReport(e, c.var.services.deps.clock.now(), events);
      if (c.req.valid("query").format === "markdown")
        return c.body(reportMarkdown(report), 200, {
          "content-type": "text/markdown; charset=utf-8",
        }) as never;
      return c.json(report as never, 200);
    },
  );
}
