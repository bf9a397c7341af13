import { AccountIdSchema, RegionSchema } from "@drso/core";
import { z } from "@hono/zod-openapi";
import {
  COMMON_ERRORS,
  jsonBody,
  jsonResponse,
  NOT_FOUND,
  PageQuery,
  QueryBool,
  type RouteKit,
  UPSTREAM,
} from "../route-kit.js";
import { stripUndefined } from "./protection-groups.js";

const Loose = z.record(z.string(), z.unknown());
const InstanceId = z
  .string()
  .regex(/^i-[0-9a-fA-F]{8,17}$/, "must be an EC2 instance ID or recovery instance ID (i-…)")
  .max(19);

export function registerEc2Routes(kit: RouteKit) {
  kit.add(
    {
      method: "get",
      path: "/ec2/instances",
      access: "drs:ViewResources",
      tags: ["EC2"],
      summary: "Recovery instances across accounts and regions",
      request: {
        query: z.object({
          accountId: AccountIdSchema.optional(),
          region: RegionSchema.optional(),
          isDrill: QueryBool.optional(),
          ec2State: z.string().max(32).optional(),
          ...PageQuery,
        }),
      },
      responses: {
        200: jsonResponse(
          z
            .object({ items: z.array(Loose), nextToken: z.string().optional(), count: z.number().int() })
            .openapi("InstancePage"),
          "Instances",
        ),
        ...COMMON_ERRORS,
        ...UPSTREAM,
      },
    },
    async (c) => {
      const { limit, nextToken, ...filter } = c.req.valid("query");
      return c.json(
        (await c.var.services.instances.list(
          stripUndefined(filter),
          stripUndefined({ limit, nextToken }),
        )) as never,
        200,
      );
    },
  );
  kit.add(
    {
      method: "get",
      path: "/ec2/instances/{instanceId}",
      access: "drs:ViewResources",
      tags: ["EC2"],
      summary: "A recovery instance (by EC2 or recovery instance ID) and its health",
      request: {
        params: z.object({ instanceId: InstanceId.openapi({ param: { name: "instanceId", in: "path" } }) }),
      },
      responses: {
        200: jsonResponse(Loose.openapi("InstanceDetail"), "Instance"),
        ...COMMON_ERRORS,
        ...NOT_FOUND,
        ...UPSTREAM,
      },
    },
    async (c) => c.json((await c.var.services.instances.get(c.req.valid("param").instanceId)) as never, 200),
  );
  kit.add(
    {
      method: "post",
      path: "/ec2/instances/terminate",
      access: "drs:TerminateInstances",
      audit: "instance.terminate",
      target: "instance",
      tags: ["EC2"],
      summary: "Terminate recovery instances through DRS",
      request: jsonBody(
        z
          .strictObject({
            instanceIds: z.array(InstanceId).min(1).max(200),
            accountId: AccountIdSchema.optional(),
            region: RegionSchema.optional(),
          })
          .openapi("TerminateInstancesRequest"),
      ),
      responses: {
        200: jsonResponse(z.object({ jobs: z.array(Loose) }), "DRS termination jobs"),
        ...COMMON_ERRORS,
        ...UPSTREAM,
      },
    },
    async (c) => {
      const body = c.req.valid("json");
      c.set("auditTarget", { detail: { instanceIds: body.instanceIds } });
      return c.json((await c.var.services.instances.terminate(stripUndefined(body))) as never, 200);
    },
  );
  kit.add(
    {
      method: "get",
      path: "/ec2/launch-templates",
      access: "drs:ViewResources",
      tags: ["EC2"],
      summary: "DRS launch configuration and EC2 launch template of each protected server in a region",
      request: {
        query: z.object({ region: RegionSchema, accountId: AccountIdSchema.optional(), ...PageQuery }),
      },
      responses: {
        200: jsonResponse(
          z
            .object({ items: z.array(Loose), nextToken: z.string().optional(), count: z.number().int() })
            .openapi("LaunchTemplatePage"),
          "Launch templates",
        ),
        ...COMMON_ERRORS,
        ...UPSTREAM,
      },
    },
    async (c) => {
      const { limit, nextToken, ...filter } = c.req.valid("query");
      return c.json(
        (await c.var.services.instances.launchTemplates(
          stripUndefined(filter),
          stripUndefined({ limit, nextToken }),
        )) as never,
        200,
      );
    },
  );
  kit.add(
    {
      method: "get",
      path: "/drs/job-logs/{jobId}",
      access: "drs:ViewResources",
      tags: ["DRS"],
      summary: "A DRS job and its event log, read from DRS",
      request: {
        params: z.object({
          jobId: z
            .string()
            .regex(/^drsjob-[0-9a-zA-Z]{17}$/, "must be a DRS job ID")
            .max(24)
            .openapi({ param: { name: "jobId", in: "path" } }),
        }),
        query: z.object({ accountId: AccountIdSchema.optional(), region: RegionSchema.optional() }),
      },
      responses: {
        200: jsonResponse(z.object({ job: Loose, items: z.array(Loose) }).openapi("DrsJobLog"), "Job log"),
        ...COMMON_ERRORS,
        ...NOT_FOUND,
      },
    },
    async (c) =>
      c.json(
        (await c.var.services.instances.jobLog(
          c.req.valid("param").jobId,
          stripUndefined(c.req.valid("query")),
        )) as never,
        200,
      ),
  );
}
