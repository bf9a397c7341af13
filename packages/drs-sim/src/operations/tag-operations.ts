import { DrsError, errors, type ResourceType } from "../model/drs-error.js";
import { parseDrsArn } from "../model/ids.js";
import type { OperationContext, OperationHandler } from "./operation-context.js";

const MAX_TAGS = 50;

const RESOURCE_TYPES: Record<string, ResourceType> = {
  "source-server": "SOURCE_SERVER",
  job: "JOB",
  "recovery-instance": "RECOVERY_INSTANCE",
};

/** The tag map of the resource an ARN names, in the caller's account and region (spec §4.14). */
function tagsOf(ctx: OperationContext, arn: string): Record<string, string> {
  const parsed = parseDrsArn(arn);
  if (!parsed) {
    throw errors.validation("resourceArn is not a valid DRS ARN", [
      { name: "resourceArn", message: "Must be an ARN of a DRS resource" },
    ]);
  }
  const resourceType = RESOURCE_TYPES[parsed.resource];
  const notFound = () =>
    resourceType
      ? errors.notFound(resourceType, parsed.id, `Resource ${arn} not found`)
      : new DrsError("ResourceNotFoundException", `Resource ${arn} not found`, { resourceId: arn });
  // Another account's or region's resource is invisible from here [INFERRED].
  if (parsed.accountId !== ctx.accountId || parsed.region !== ctx.regionName) throw notFound();
  const region = ctx.region();
  const record =
    parsed.resource === "source-server"
      ? region?.servers.get(parsed.id)
      : parsed.resource === "job"
        ? region?.jobs.get(parsed.id)
        : parsed.resource === "recovery-instance"
          ? region?.instances.get(parsed.id)
          : undefined;
  if (!record) throw notFound();
  return record.tags;
}

export const tagResource: OperationHandler = (ctx, { body, resourceArn }) => {
  const tags = tagsOf(ctx, resourceArn ?? "");
  const added = body.tags as Record<string, string>;
  const merged = { ...tags, ...added };
  if (Object.keys(merged).length > MAX_TAGS) {
    throw errors.validation(`Each resource can have a maximum of ${MAX_TAGS} tags`, [
      {
        name: "tags",
        message: `The resource would have ${Object.keys(merged).length} tags; the maximum is ${MAX_TAGS}`,
      },
    ]);
  }
  Object.assign(tags, added);
  return undefined;
};

export const untagResource: OperationHandler = (ctx, { resourceArn, tagKeys }) => {
  const tags = tagsOf(ctx, resourceArn ?? "");
  for (const key of tagKeys ?? []) delete tags[key];
  return undefined;
};

export const listTagsForResource: OperationHandler = (ctx, { resourceArn }) => ({
  tags: { ...tagsOf(ctx, resourceArn ?? "") },
});
