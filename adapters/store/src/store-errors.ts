import { ConflictError, NotFoundError, PreconditionFailedError } from "@drso/core";

/** The core errors every adapter raises, worded once so that both adapters say the same thing. */
export type ResourceType =
  | "protection-group"
  | "recovery-plan"
  | "execution"
  | "account"
  | "user"
  | "settings"
  | "audit-event";

const LABELS: Record<ResourceType, string> = {
  "protection-group": "protection group",
  "recovery-plan": "recovery plan",
  execution: "execution",
  account: "account",
  user: "user",
  settings: "settings",
  "audit-event": "audit event",
};

export function notFound(type: ResourceType, id: string): NotFoundError {
  return new NotFoundError(type, id);
}

export function versionMismatch(
  type: ResourceType,
  id: string,
  expectedVersion: number,
  currentVersion: number,
): PreconditionFailedError {
  return new PreconditionFailedError(
    `The ${LABELS[type]} '${id}' was changed by someone else (version ${currentVersion}, expected ${expectedVersion}); reload it and try again.`,
    { resourceType: type, resourceId: id, expectedVersion, currentVersion },
  );
}

export function nameTaken(type: ResourceType, name: string, conflictingId: string): ConflictError {
  return new ConflictError("NAME_ALREADY_EXISTS", `A ${LABELS[type]} named '${name}' already exists.`, {
    resourceType: type,
    name,
    conflictingId,
  });
}

export function alreadyExists(type: ResourceType, id: string, detail?: string): ConflictError {
  return new ConflictError("ALREADY_EXISTS", `The ${LABELS[type]} '${detail ?? id}' already exists.`, {
    resourceType: type,
    resourceId: id,
  });
}

export function serverAssigned(sourceServerId: string, groupId: string, groupName: string): ConflictError {
  return new ConflictError(
    "SERVER_ALREADY_ASSIGNED",
    `Source server '${sourceServerId}' already belongs to protection group '${groupName}'.`,
    { sourceServerId, groupId, groupName },
  );
}

/** The servers an explicit group claims in its account and region; tag-selection groups claim none. */
export function claimedServers(group: {
  selectionMode: "explicit" | "tags";
  sourceServerIds?: string[] | undefined;
}): string[] {
  if (group.selectionMode !== "explicit") return [];
  return [...new Set(group.sourceServerIds ?? [])];
}
