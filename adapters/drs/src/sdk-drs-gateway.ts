import {
  DescribeJobLogItemsCommand,
  DescribeJobsCommand,
  DescribeRecoveryInstancesCommand,
  DescribeRecoverySnapshotsCommand,
  DescribeSourceServersCommand,
  DrsClient,
  GetLaunchConfigurationCommand,
  ReverseReplicationCommand,
  StartFailbackLaunchCommand,
  StartRecoveryCommand,
  TerminateRecoveryInstancesCommand,
  UpdateLaunchConfigurationCommand,
} from "@aws-sdk/client-drs";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import {
  DrsError,
  type DrsGateway,
  type DrsGatewayFactory,
  type DrsJob,
  type DrsTarget,
  type JobLogItem,
  type LaunchConfiguration,
  type RecoveryInstance,
  type RecoverySnapshot,
  type SourceServer,
  type StartRecoveryRequest,
} from "@drso/core";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { toDrsError } from "./drs-errors.js";
import {
  toJob,
  toJobLogItem,
  toLaunchConfiguration,
  toRecoveryInstance,
  toRecoverySnapshot,
  toSourceServer,
} from "./drs-mapping.js";
import { toAssumeRoleError } from "./sts-errors.js";

/** A paginator that cannot loop forever: it stops on a repeated token and after a hard page limit. */
async function collectPages<T>(
  operation: string,
  fetch: (nextToken: string | undefined) => Promise<{ items?: T[]; nextToken?: string }>,
): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  for (let page = 0; page < 10_000; page++) {
    const out = await fetch(token);
    items.push(...(out.items ?? []));
    if (!out.nextToken) return items;
    if (seen.has(out.nextToken))
      throw new DrsError(operation, "unavailable", `DRS ${operation} returned the same nextToken twice`, {
        ambiguous: false,
      });
    seen.add(out.nextToken);
    token = out.nextToken;
  }
  throw new DrsError(operation, "unavailable", `DRS ${operation} returned more than 10000 pages`, {
    ambiguous: false,
  });
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

class SdkDrsGateway implements DrsGateway {
  constructor(
    readonly target: DrsTarget,
    private readonly client: DrsClient,
  ) {}

  private async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toDrsError(operation, error);
    }
  }

  async describeSourceServers(filter?: { sourceServerIds?: string[] }): Promise<SourceServer[]> {
    const ids = filter?.sourceServerIds;
    const batches = ids ? chunk(ids, 200) : [undefined];
    const result: SourceServer[] = [];
    for (const batch of batches) {
      if (batch && batch.length === 0) continue;
      const items = await this.call("DescribeSourceServers", () =>
        collectPages("DescribeSourceServers", (nextToken) =>
          this.client.send(
            new DescribeSourceServersCommand({
              filters: batch ? { sourceServerIDs: batch } : {},
              maxResults: 1000,
              ...(nextToken ? { nextToken } : {}),
            }),
          ),
        ),
      );
      result.push(...items.map((s) => toSourceServer(this.target, s)));
    }
    return result;
  }

  async checkInitialized(): Promise<boolean> {
    try {
      await this.client.send(new DescribeSourceServersCommand({ filters: {}, maxResults: 1 }));
      return true;
    } catch (error) {
      const e = toDrsError("DescribeSourceServers", error);
      if (e.kind === "uninitialized") return false;
      throw e;
    }
  }

  async startRecovery(request: StartRecoveryRequest): Promise<DrsJob> {
    const out = await this.call("StartRecovery", () =>
      this.client.send(
        new StartRecoveryCommand({
          sourceServers: request.sourceServerIds.map((sourceServerID) => {
            const recoverySnapshotID = request.snapshotIds?.[sourceServerID];
            return recoverySnapshotID ? { sourceServerID, recoverySnapshotID } : { sourceServerID };
          }),
          isDrill: request.isDrill,
          tags: request.tags,
        }),
      ),
    );
    if (!out.job?.jobID)
      throw new DrsError("StartRecovery", "unavailable", "StartRecovery returned no job", {
        ambiguous: true,
      });
    return toJob(this.target, out.job);
  }

  async describeJobs(filter?: { jobIds?: string[]; fromDate?: string }): Promise<DrsJob[]> {
    const ids = filter?.jobIds;
    const batches = ids ? chunk(ids, 1000) : [undefined];
    const result: DrsJob[] = [];
    for (const batch of batches) {
      if (batch && batch.length === 0) continue;
      const filters = {
        ...(batch ? { jobIDs: batch } : {}),
        ...(filter?.fromDate ? { fromDate: filter.fromDate } : {}),
      };
      const items = await this.call("DescribeJobs", () =>
        collectPages("DescribeJobs", (nextToken) =>
          this.client.send(
            new DescribeJobsCommand({ filters, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }),
          ),
        ),
      );
      result.push(...items.map((j) => toJob(this.target, j)));
    }
    return result;
  }

  async describeJobLogItems(jobId: string): Promise<JobLogItem[]> {
    const items = await this.call("DescribeJobLogItems", () =>
      collectPages("DescribeJobLogItems", (nextToken) =>
        this.client.send(
          new DescribeJobLogItemsCommand({
            jobID: jobId,
            maxResults: 1000,
            ...(nextToken ? { nextToken } : {}),
          }),
        ),
      ),
    );
    return items.map(toJobLogItem);
  }

  async describeRecoveryInstances(filter?: {
    recoveryInstanceIds?: string[];
    sourceServerIds?: string[];
  }): Promise<RecoveryInstance[]> {
    const riBatches = filter?.recoveryInstanceIds ? chunk(filter.recoveryInstanceIds, 200) : [undefined];
    const result: RecoveryInstance[] = [];
    for (const batch of riBatches) {
      if (batch && batch.length === 0) continue;
      const filters = {
        ...(batch ? { recoveryInstanceIDs: batch } : {}),
        ...(filter?.sourceServerIds ? { sourceServerIDs: filter.sourceServerIds } : {}),
      };
      const items = await this.call("DescribeRecoveryInstances", () =>
        collectPages("DescribeRecoveryInstances", (nextToken) =>
          this.client.send(
            new DescribeRecoveryInstancesCommand({
              filters,
              maxResults: 1000,
              ...(nextToken ? { nextToken } : {}),
            }),
          ),
        ),
      );
      result.push(...items.map((r) => toRecoveryInstance(this.target, r)));
    }
    return result;
  }

  async describeRecoverySnapshots(
    sourceServerId: string,
    filter?: { from?: string; to?: string },
  ): Promise<RecoverySnapshot[]> {
    const filters = {
      ...(filter?.from ? { fromDateTime: filter.from } : {}),
      ...(filter?.to ? { toDateTime: filter.to } : {}),
    };
    const items = await this.call("DescribeRecoverySnapshots", () =>
      collectPages("DescribeRecoverySnapshots", (nextToken) =>
        this.client.send(
          new DescribeRecoverySnapshotsCommand({
            sourceServerID: sourceServerId,
            filters,
            order: "DESC",
            maxResults: 1000,
            ...(nextToken ? { nextToken } : {}),
          }),
        ),
      ),
    );
    return items.map(toRecoverySnapshot);
  }

  async terminateRecoveryInstances(recoveryInstanceIds: string[]): Promise<DrsJob> {
    const out = await this.call("TerminateRecoveryInstances", () =>
      this.client.send(new TerminateRecoveryInstancesCommand({ recoveryInstanceIDs: recoveryInstanceIds })),
    );
    if (!out.job?.jobID)
      throw new DrsError(
        "TerminateRecoveryInstances",
        "unavailable",
        "TerminateRecoveryInstances returned no job",
        { ambiguous: true },
      );
    return toJob(this.target, out.job);
  }

  async getLaunchConfiguration(sourceServerId: string): Promise<LaunchConfiguration> {
    const out = await this.call("GetLaunchConfiguration", () =>
      this.client.send(new GetLaunchConfigurationCommand({ sourceServerID: sourceServerId })),
    );
    return toLaunchConfiguration(out);
  }

  async updateLaunchConfiguration(config: LaunchConfiguration): Promise<LaunchConfiguration> {
    const out = await this.call("UpdateLaunchConfiguration", () =>
      this.client.send(
        new UpdateLaunchConfigurationCommand({
          sourceServerID: config.sourceServerId,
          ...(config.name !== undefined ? { name: config.name } : {}),
          ...(config.launchDisposition !== undefined ? { launchDisposition: config.launchDisposition } : {}),
          ...(config.targetInstanceTypeRightSizingMethod !== undefined
            ? { targetInstanceTypeRightSizingMethod: config.targetInstanceTypeRightSizingMethod }
            : {}),
          ...(config.copyPrivateIp !== undefined ? { copyPrivateIp: config.copyPrivateIp } : {}),
          ...(config.copyTags !== undefined ? { copyTags: config.copyTags } : {}),
          ...(config.licensing !== undefined ? { licensing: config.licensing } : {}),
          ...(config.postLaunchEnabled !== undefined ? { postLaunchEnabled: config.postLaunchEnabled } : {}),
        }),
      ),
    );
    return toLaunchConfiguration(out);
  }

  async startFailbackLaunch(recoveryInstanceIds: string[], tags: Record<string, string>): Promise<DrsJob> {
    const out = await this.call("StartFailbackLaunch", () =>
      this.client.send(new StartFailbackLaunchCommand({ recoveryInstanceIDs: recoveryInstanceIds, tags })),
    );
    if (!out.job?.jobID)
      throw new DrsError("StartFailbackLaunch", "unavailable", "StartFailbackLaunch returned no job", {
        ambiguous: true,
      });
    return toJob(this.target, out.job);
  }

  async reverseReplication(recoveryInstanceId: string): Promise<string> {
    const out = await this.call("ReverseReplication", () =>
      this.client.send(new ReverseReplicationCommand({ recoveryInstanceID: recoveryInstanceId })),
    );
    if (!out.reversedDirectionSourceServerArn) {
      throw new DrsError(
        "ReverseReplication",
        "unavailable",
        "ReverseReplication returned no source server ARN",
        { ambiguous: true },
      );
    }
    return out.reversedDirectionSourceServerArn;
  }
}

export type CredentialSource = AwsCredentialIdentity | AwsCredentialIdentityProvider;

export interface SdkDrsGatewayOptions {
  mode: "sim" | "aws";
  /** A DRS-compatible endpoint (the simulator); absent = the real regional DRS endpoint. */
  endpoint?: string;
  /** Credentials per target; undefined = the default AWS credential chain. */
  credentialsFor(target: DrsTarget): CredentialSource | undefined;
  /** SDK attempts per call (the engine adds its own backoff on top). Default 3. */
  maxAttempts?: number;
  /** Socket and request timeout per HTTP call. Default 15 s. */
  requestTimeoutMs?: number;
}

/** One DrsClient per account and region, created on first use and reused. */
export function createSdkDrsGatewayFactory(options: SdkDrsGatewayOptions): DrsGatewayFactory {
  const clients = new Map<string, DrsGateway>();
  const handler = new NodeHttpHandler({
    requestTimeout: options.requestTimeoutMs ?? 15_000,
    connectionTimeout: 5_000,
  });
  return {
    mode: options.mode,
    forTarget(target: DrsTarget): DrsGateway {
      const key = `${target.accountId}/${target.region}`;
      let gateway = clients.get(key);
      if (!gateway) {
        const credentials = options.credentialsFor(target);
        const client = new DrsClient({
          region: target.region,
          maxAttempts: options.maxAttempts ?? 3,
          requestHandler: handler,
          ...(options.endpoint ? { endpoint: options.endpoint } : {}),
          ...(credentials ? { credentials } : {}),
        });
        gateway = new SdkDrsGateway({ accountId: target.accountId, region: target.region }, client);
        clients.set(key, gateway);
      }
      return gateway;
    },
  };
}

/**
 * The simulator identifies the account by the access key: a key ending in the 12-digit account ID addresses
 * that account (see docs/drs-simulator.md).
 */
export function simulatorCredentials(accountId: string): AwsCredentialIdentity {
  return { accessKeyId: `AKIASIM${accountId}`, secretAccessKey: "drs-sim" };
}

/**
 * The region whose STS endpoint issues the target-account sessions: the orchestrator's own region (always
 * activated for its account; sessions from regional endpoints are valid in every region, opt-in ones included),
 * else the target region.
 */
export function stsRegionFor(
  targetRegion: string,
  env: Record<string, string | undefined> = process.env,
): string {
  return env.AWS_REGION || env.AWS_DEFAULT_REGION || targetRegion;
}

/**
 * Credentials for a target account in aws mode: the caller's own credentials for its own account, an STS
 * role session (refreshed before expiry) when the account has a role ARN. Concurrent calls while no session
 * is cached share one AssumeRole.
 */
export function assumeRoleCredentials(options: {
  roleArn: string;
  externalId?: string;
  /** The target region (for messages); STS is called in `stsRegion`. */
  region: string;
  /** Default {@link stsRegionFor}(region). */
  stsRegion?: string;
  sessionName?: string;
  durationSeconds?: number;
  /** The STS client to call (default: one for `stsRegion` with the default credentials); tests point it at an emulator. */
  stsClient?: STSClient;
}): AwsCredentialIdentityProvider {
  const stsRegion = options.stsRegion ?? stsRegionFor(options.region);
  const sts = options.stsClient ?? new STSClient({ region: stsRegion });
  let cached: AwsCredentialIdentity | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  async function assume(): Promise<AwsCredentialIdentity> {
    try {
      const out = await sts.send(
        new AssumeRoleCommand({
          RoleArn: options.roleArn,
          RoleSessionName: options.sessionName ?? "drs-orchestrator",
          DurationSeconds: options.durationSeconds ?? 3600,
          ...(options.externalId ? { ExternalId: options.externalId } : {}),
        }),
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey)
        throw new DrsError(
          "AssumeRole",
          "unavailable",
          `STS AssumeRole on ${options.roleArn} returned no credentials`,
          {
            ambiguous: false,
          },
        );
      cached = {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
        ...(c.Expiration ? { expiration: c.Expiration } : {}),
      };
      return cached;
    } catch (error) {
      if (error instanceof DrsError) throw error;
      throw toAssumeRoleError(error, { roleArn: options.roleArn, externalId: options.externalId, stsRegion });
    }
  }
  return async () => {
    if (cached?.expiration && cached.expiration.getTime() - Date.now() > 5 * 60_000) return cached;
    pending ??= assume().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}
