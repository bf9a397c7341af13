import type { OperationName } from "../protocol/operations.js";
import { deleteJob, describeJobLogItems, describeJobs, startRecovery } from "./job-operations.js";
import type { OperationHandler } from "./operation-context.js";
import {
  deleteRecoveryInstance,
  describeRecoveryInstances,
  disconnectRecoveryInstance,
  getFailbackReplicationConfiguration,
  reverseReplicationOperation,
  startFailbackLaunch,
  stopFailbackOperation,
  terminateRecoveryInstances,
  updateFailbackReplicationConfiguration,
} from "./recovery-instance-operations.js";
import {
  describeRecoverySnapshots,
  describeSourceServers,
  disconnectSourceServer,
  getLaunchConfiguration,
  initializeService,
  startReplication,
  stopReplication,
  updateLaunchConfiguration,
} from "./source-server-operations.js";
import { listTagsForResource, tagResource, untagResource } from "./tag-operations.js";

/** Every in-scope operation of spec §2 and its implementation. */
export const OPERATION_HANDLERS: Record<OperationName, OperationHandler> = {
  InitializeService: initializeService,
  DescribeSourceServers: describeSourceServers,
  GetLaunchConfiguration: getLaunchConfiguration,
  UpdateLaunchConfiguration: updateLaunchConfiguration,
  DescribeRecoverySnapshots: describeRecoverySnapshots,
  StartRecovery: startRecovery,
  DescribeJobs: describeJobs,
  DescribeJobLogItems: describeJobLogItems,
  DeleteJob: deleteJob,
  DescribeRecoveryInstances: describeRecoveryInstances,
  TerminateRecoveryInstances: terminateRecoveryInstances,
  DisconnectRecoveryInstance: disconnectRecoveryInstance,
  DeleteRecoveryInstance: deleteRecoveryInstance,
  StartFailbackLaunch: startFailbackLaunch,
  StopFailback: stopFailbackOperation,
  ReverseReplication: reverseReplicationOperation,
  GetFailbackReplicationConfiguration: getFailbackReplicationConfiguration,
  UpdateFailbackReplicationConfiguration: updateFailbackReplicationConfiguration,
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
  StartReplication: startReplication,
  StopReplication: stopReplication,
  DisconnectSourceServer: disconnectSourceServer,
};
