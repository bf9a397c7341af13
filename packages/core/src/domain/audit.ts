import { z } from "zod";
import { IsoDateTimeSchema } from "./common.js";

export const AuditEventSchema = z
  .object({
    eventId: z.string(),
    at: IsoDateTimeSchema,
    actor: z.object({ sub: z.string(), email: z.string().optional(), role: z.string().optional() }),
    /** Dotted verb, e.g. `protection-group.create`, `execution.start`, `auth.login`. */
    action: z.string(),
    targetType: z.string().optional(),
    targetId: z.string().optional(),
    /** What people call the target (a protection group's or recovery plan's name), when known. */
    targetName: z.string().optional(),
    outcome: z.enum(["success", "failure", "denied"]),
    status: z.number().int().optional(),
    requestId: z.string().optional(),
    sourceIp: z.string().optional(),
    userAgent: z.string().optional(),
    detail: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: "AuditEvent" });
export type AuditEvent = z.infer<typeof AuditEventSchema>;
