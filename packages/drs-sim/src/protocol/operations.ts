import type { Schema } from "./validation.js";

/** The DRS operations of the spec's endpoint table (§2) and the out-of-scope ones that exist in 3.523.0. */

const sourceServerID: Schema = { type: "string", min: 19, max: 19, pattern: /^s-[0-9a-zA-Z]{17}$/ };
const recoveryInstanceID: Schema = { type: "string", min: 10, max: 19, pattern: /^i-[0-9a-fA-F]{8,}$/ };
const jobID: Schema = { type: "string", min: 24, max: 24, pattern: /^drsjob-[0-9a-zA-Z]{17}$/ };
const recoverySnapshotID: Schema = { type: "string", min: 21, max: 21, pattern: /^pit-[0-9a-zA-Z]{17}$/ };
const accountID: Schema = { type: "string", min: 12, max: 12, pattern: /[0-9]{12,}/ };
const maxResults: Schema = { type: "integer", min: 1 };
const nextToken: Schema = { type: "string", min: 0, max: 2048 };
const tagsMap: Schema = {
  type: "map",
  key: { type: "string", min: 0, max: 256 },
  value: { type: "string", min: 0, max: 256 },
  maxEntries: 50,
};
const bool: Schema = { type: "boolean" };

export const ARN_SCHEMA: Schema = { type: "string", min: 20, max: 2048, pattern: /^arn:.{16,2044}$/ };
export const TAG_KEYS_SCHEMA: Schema = { type: "list", member: { type: "string", min: 0, max: 256 }, min: 1 };
export const TAGS_SCHEMA = tagsMap;

const structure = (members: Record<string, Schema>, required: string[] = []): Schema => ({
  type: "structure",
  members,
  required,
});

export type OperationName =
  | "InitializeService"
  | "DescribeSourceServers"
  | "GetLaunchConfiguration"
  | "UpdateLaunchConfiguration"
  | "DescribeRecoverySnapshots"
  | "StartRecovery"
  | "DescribeJobs"
  | "DescribeJobLogItems"
  | "DeleteJob"
  | "DescribeRecoveryInstances"
  | "TerminateRecoveryInstances"
  | "DisconnectRecoveryInstance"
  | "DeleteRecoveryInstance"
  | "StartFailbackLaunch"
  | "StopFailback"
  | "ReverseReplication"
  | "GetFailbackReplicationConfiguration"
  | "UpdateFailbackReplicationConfiguration"
  | "TagResource"
  | "UntagResource"
  | "ListTagsForResource"
  | "StartReplication"
  | "StopReplication"
  | "DisconnectSourceServer";

export interface OperationDef {
  name: OperationName;
  method: "POST" | "GET" | "DELETE";
  successCode: number;
  /** Body schema (POST operations). */
  input: Schema;
  /** Exempt from the UninitializedAccountException check (spec §4). */
  skipInitCheck?: boolean;
}

function post(name: OperationName, successCode: number, input: Schema, skipInitCheck = false): OperationDef {
  return { name, method: "POST", successCode, input, ...(skipInitCheck ? { skipInitCheck } : {}) };
}

export const OPERATIONS: Record<OperationName, OperationDef> = {
  InitializeService: post("InitializeService", 204, structure({}), true),
  DescribeSourceServers: post(
    "DescribeSourceServers",
    200,
    structure({
      filters: structure({
        sourceServerIDs: { type: "list", member: sourceServerID, min: 0, max: 200 },
        hardwareId: { type: "string", min: 0, max: 256 },
        stagingAccountIDs: { type: "list", member: accountID, min: 0, max: 200 },
      }),
      maxResults,
      nextToken,
    }),
  ),
  GetLaunchConfiguration: post(
    "GetLaunchConfiguration",
    200,
    structure({ sourceServerID }, ["sourceServerID"]),
  ),
  UpdateLaunchConfiguration: post(
    "UpdateLaunchConfiguration",
    200,
    structure(
      {
        sourceServerID,
        name: { type: "string", min: 0, max: 128 },
        launchDisposition: { type: "string", enum: ["STOPPED", "STARTED"] },
        targetInstanceTypeRightSizingMethod: { type: "string", enum: ["NONE", "BASIC", "IN_AWS"] },
        copyPrivateIp: bool,
        copyTags: bool,
        licensing: structure({ osByol: bool }),
        postLaunchEnabled: bool,
        launchIntoInstanceProperties: structure({
          launchIntoEC2InstanceID: { type: "string", min: 0, max: 255, pattern: /^i-[0-9a-fA-F]{8,}$/ },
        }),
      },
      ["sourceServerID"],
    ),
  ),
  DescribeRecoverySnapshots: post(
    "DescribeRecoverySnapshots",
    200,
    structure(
      {
        sourceServerID,
        filters: structure({ fromDateTime: { type: "dateTime" }, toDateTime: { type: "dateTime" } }),
        order: { type: "string", enum: ["ASC", "DESC"] },
        maxResults,
        nextToken,
      },
      ["sourceServerID"],
    ),
  ),
  StartRecovery: post(
    "StartRecovery",
    202,
    structure(
      {
        sourceServers: {
          type: "list",
          min: 1,
          max: 200,
          member: structure({ sourceServerID, recoverySnapshotID }, ["sourceServerID"]),
        },
        isDrill: bool,
        tags: tagsMap,
      },
      ["sourceServers"],
    ),
  ),
  DescribeJobs: post(
    "DescribeJobs",
    200,
    structure({
      filters: structure({
        jobIDs: { type: "list", member: jobID, min: 0, max: 1000 },
        fromDate: { type: "dateTime" },
        toDate: { type: "dateTime" },
      }),
      maxResults,
      nextToken,
    }),
  ),
  DescribeJobLogItems: post(
    "DescribeJobLogItems",
    200,
    structure({ jobID, maxResults, nextToken }, ["jobID"]),
  ),
  DeleteJob: post("DeleteJob", 204, structure({ jobID }, ["jobID"])),
  DescribeRecoveryInstances: post(
    "DescribeRecoveryInstances",
    200,
    structure({
      filters: structure({
        recoveryInstanceIDs: { type: "list", member: recoveryInstanceID, min: 0, max: 200 },
        sourceServerIDs: { type: "list", member: sourceServerID },
      }),
      maxResults,
      nextToken,
    }),
  ),
  TerminateRecoveryInstances: post(
    "TerminateRecoveryInstances",
    200,
    structure({ recoveryInstanceIDs: { type: "list", member: recoveryInstanceID, min: 1, max: 200 } }, [
      "recoveryInstanceIDs",
    ]),
  ),
  DisconnectRecoveryInstance: post(
    "DisconnectRecoveryInstance",
    200,
    structure({ recoveryInstanceID }, ["recoveryInstanceID"]),
  ),
  DeleteRecoveryInstance: post(
    "DeleteRecoveryInstance",
    200,
    structure({ recoveryInstanceID }, ["recoveryInstanceID"]),
  ),
  StartFailbackLaunch: post(
    "StartFailbackLaunch",
    200,
    structure(
      { recoveryInstanceIDs: { type: "list", member: recoveryInstanceID, min: 1, max: 200 }, tags: tagsMap },
      ["recoveryInstanceIDs"],
    ),
  ),
  StopFailback: post("StopFailback", 200, structure({ recoveryInstanceID }, ["recoveryInstanceID"])),
  ReverseReplication: post(
    "ReverseReplication",
    200,
    structure({ recoveryInstanceID }, ["recoveryInstanceID"]),
  ),
  GetFailbackReplicationConfiguration: post(
    "GetFailbackReplicationConfiguration",
    200,
    structure({ recoveryInstanceID }, ["recoveryInstanceID"]),
  ),
  UpdateFailbackReplicationConfiguration: post(
    "UpdateFailbackReplicationConfiguration",
    200,
    structure(
      {
        recoveryInstanceID,
        name: { type: "string", min: 0, max: 256 },
        bandwidthThrottling: { type: "long", min: 0 },
        usePrivateIP: bool,
      },
      ["recoveryInstanceID"],
    ),
  ),
  TagResource: {
    name: "TagResource",
    method: "POST",
    successCode: 200,
    input: structure({ tags: tagsMap }, ["tags"]),
    skipInitCheck: true,
  },
  UntagResource: {
    name: "UntagResource",
    method: "DELETE",
    successCode: 200,
    input: structure({}),
    skipInitCheck: true,
  },
  ListTagsForResource: {
    name: "ListTagsForResource",
    method: "GET",
    successCode: 200,
    input: structure({}),
    skipInitCheck: true,
  },
  StartReplication: post("StartReplication", 200, structure({ sourceServerID }, ["sourceServerID"])),
  StopReplication: post("StopReplication", 200, structure({ sourceServerID }, ["sourceServerID"])),
  DisconnectSourceServer: post(
    "DisconnectSourceServer",
    200,
    structure({ sourceServerID }, ["sourceServerID"]),
  ),
};

/** Operations of 3.523.0 outside the spec: answered with 501 "not simulated" (spec §2 [DESIGN]). */
export const NOT_SIMULATED: Record<string, "POST" | "GET"> = {
  AssociateSourceNetworkStack: "POST",
  CreateExtendedSourceServer: "POST",
  CreateLaunchConfigurationTemplate: "POST",
  CreateReplicationConfigurationTemplate: "POST",
  CreateSourceNetwork: "POST",
  DeleteLaunchAction: "POST",
  DeleteLaunchConfigurationTemplate: "POST",
  DeleteReplicationConfigurationTemplate: "POST",
  DeleteSourceNetwork: "POST",
  DeleteSourceServer: "POST",
  DescribeLaunchConfigurationTemplates: "POST",
  DescribeReplicationConfigurationTemplates: "POST",
  DescribeSourceNetworks: "POST",
  ExportSourceNetworkCfnTemplate: "POST",
  GetReplicationConfiguration: "POST",
  ListExtensibleSourceServers: "POST",
  ListLaunchActions: "POST",
  ListStagingAccounts: "GET",
  PutLaunchAction: "POST",
  RetryDataReplication: "POST",
  StartSourceNetworkRecovery: "POST",
  StartSourceNetworkReplication: "POST",
  StopSourceNetworkReplication: "POST",
  UpdateLaunchConfigurationTemplate: "POST",
  UpdateReplicationConfiguration: "POST",
  UpdateReplicationConfigurationTemplate: "POST",
};
