import { Cron } from "croner";
import { z } from "zod";

/**
 * Scheduled drills (issue 18 item 2): a plan may carry a cron expression (5 fields: minute hour day month weekday)
 * in an IANA time zone. At each slot a DRILL of the plan starts, initiated by `scheduler`, with its own drill TTL;
 * a slot that passed while nothing was watching is either skipped (recorded as missed) or run once, late.
 */

/** A slot counts as on time when it is looked at within this long (the AWS sweeper runs every 5 minutes). */
export const SCHEDULE_GRACE_MS = 10 * 60_000;

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function cronProblem(expression: string): string | undefined {
  if (expression.trim().split(/\s+/).length !== 5)
    return "must have 5 fields: minute hour day-of-month month day-of-week (e.g. 0 3 * * 1)";
  try {
    new Cron(expression, { paused: true });
    return undefined;
  } catch (error) {
    return (error as Error).message.replace(/^CronPattern: /, "");
  }
}

export const DrillScheduleSchema = z
  .strictObject({
    cron: z
      .string()
      .max(100)
      .superRefine((v, ctx) => {
        const problem = cronProblem(v);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      })
      .meta({ example: "0 3 * * 1" }),
    timezone: z
      .string()
      .max(64)
      .refine(isTimeZone, "must be an IANA time zone such as Europe/Berlin or UTC")
      .meta({ example: "Europe/Berlin" }),
    /** Default true. */
    enabled: z.boolean().optional(),
    /** How long the drill's instances live before they are terminated (default: the settings' drill TTL). */
    drillTtlHours: z.number().int().min(1).max(720).optional(),
    /**
     * A slot that passed unseen (the orchestrator was down): `skip` records it as missed and waits for the next
     * (default); `run-once` starts one drill late, however many slots were missed.
     */
    missedRunPolicy: z.enum(["skip", "run-once"]).optional(),
  })
  .meta({ id: "DrillSchedule" });
export type DrillSchedule = z.infer<typeof DrillScheduleSchema>;

/** The next `count` slots strictly after `after` (epoch ms). */
export function nextSlots(
  schedule: Pick<DrillSchedule, "cron" | "timezone">,
  after: number,
  count = 1,
): number[] {
  return new Cron(schedule.cron, { timezone: schedule.timezone, paused: true })
    .nextRuns(count, new Date(after))
    .map((d) => d.getTime());
}

/**
 * The slots in (from, to], oldest first, at most `limit` of them (a long outage with a frequent schedule does not
 * list thousands).
 */
export function slotsBetween(
  schedule: Pick<DrillSchedule, "cron" | "timezone">,
  from: number,
  to: number,
  limit = 100,
): number[] {
  const cron = new Cron(schedule.cron, { timezone: schedule.timezone, paused: true });
  const out: number[] = [];
  let cursor = from;
  while (out.length < limit) {
    const next = cron.nextRun(new Date(cursor))?.getTime();
    if (next === undefined || next > to) break;
    out.push(next);
    cursor = next;
  }
  return out;
}
