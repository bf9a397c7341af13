import {
  type DrsTarget,
  NotFoundError,
  type PageRequest,
  plural,
  type RecoveryInstance,
  ValidationError,
} from "@drso/core";
import type { AppDeps } from "./deps.js";
import { mapLimit } from "./engine/effect-runner.js";
import { asUpstream, type Inventory } from "./inventory.js";
import { pageArray } from "./paging.js";

/**
 * The seed's EC2 views, built from DRS itself: recovery instances (with their EC2 instance and state) and the
 * launch configuration / EC2 launch template of each protected server.
 */
export function createInstanceService(deps: AppDeps, inventory: Inventory) {
  const { store } = deps;

  async function targets(filter: { accountId?: string; region?: string }): Promise<DrsTarget[]> {
    const accounts = await store.accounts.list();
    return accounts
      .filter((a) => !filter.accountId || a.accountId === filter.accountId)
      .flatMap((a) =>
        a.regions
          .filter((r) => !filter.region || r === filter.region)
          .map((region) => ({ accountId: a.accountId, region })),
      );
  }

  async function allInstances(filter: { accountId?: string; region?: string }) {
    const lists = await mapLimit(await targets(filter), 8, async (t) => {
      try {
        return await deps.drs.forTarget(t).describeRecoveryInstances();
      } catch (error) {
        throw asUpstream(error, t);
      }
    });
    return lists.flat();
  }

  async function hostnames(instances: RecoveryInstance[]) {
    const names = new Map<string, string>();
    const byTarget = new Map<string, DrsTarget>();
    for (const i of instances)
      byTarget.set(`${i.accountId}/${i.region}`, { accountId: i.accountId, region: i.region });
    for (const t of byTarget.values()) {
      try {
        for (const s of await inventory.servers(t))
          names.set(`${t.accountId}/${t.region}/${s.sourceServerId}`, s.hostname);
      } catch {
        // Names are cosmetic.
      }
    }
    return names;
  }

  return {
    async list(
      filter: { accountId?: string; region?: string; isDrill?: boolean; ec2State?: string },
      page: PageRequest,
    ) {
      const instances = (await allInstances(filter)).filter(
        (i) =>
          (filter.isDrill === undefined || i.isDrill === filter.isDrill) &&
          (!filter.ec2State || i.ec2State === filter.ec2State),
      );
      const names = await hostnames(instances);
      const items = instances
        .map((i) => ({
          ...i,
          hostname: names.get(`${i.accountId}/${i.region}/${i.sourceServerId}`) ?? i.sourceServerId,
        }))
        .sort(
          (a, b) =>
            a.hostname.localeCompare(b.hostname) || a.recoveryInstanceId.localeCompare(b.recoveryInstanceId),
        );
      return { ...pageArray(items, page, filter), count: items.length };
    },

    async get(instanceId: string) {
      const found = (await allInstances({})).find(
        (i) => i.ec2InstanceId === instanceId || i.recoveryInstanceId === instanceId,
      );
      if (!found) throw new NotFoundError("instance", instanceId);
      const names = await hostnames([found]);
      return {
        ...found,
        hostname:
          names.get(`${found.accountId}/${found.region}/${found.sourceServerId}`) ?? found.sourceServerId,
        health: {
          state: found.ec2State ?? "NOT_FOUND",
          healthy: found.ec2State === "RUNNING",
          detail:
            found.ec2State === "RUNNING"
              ? "EC2 reports the instance running; application health is for your HTTP or SSM checks to prove"
              : `EC2 state ${found.ec2State ?? "unknown"}`,
        },
      };
    },

    /** Terminates recovery instances directly (outside any execution), grouped per account and region. */
    async terminate(input: { instanceIds: string[]; accountId?: string; region?: string }) {
      const all = await allInstances({
        ...(input.accountId ? { accountId: input.accountId } : {}),
        ...(input.region ? { region: input.region } : {}),
      });
      const missing = input.instanceIds.filter(
        (id) => !all.some((i) => i.ec2InstanceId === id || i.recoveryInstanceId === id),
      );
      if (missing.length > 0) {
        throw new ValidationError(
          `${plural(missing.length, "instance")} ${missing.length === 1 ? "is not a DRS recovery instance" : "are not DRS recovery instances"} of a configured account.`,
          missing.map((id) => ({ path: "instanceIds", message: `${id} not found` })),
          "UNKNOWN_INSTANCES",
        );
      }
      const chosen = all.filter(
        (i) =>
          input.instanceIds.includes(i.ec2InstanceId ?? "") ||
          input.instanceIds.includes(i.recoveryInstanceId),
      );
      const byTarget = new Map<string, RecoveryInstance[]>();
      for (const i of chosen)
        byTarget.set(`${i.accountId}/${i.region}`, [
          ...(byTarget.get(`${i.accountId}/${i.region}`) ?? []),
          i,
        ]);
      const jobs = [];
      for (const list of byTarget.values()) {
        const t = { accountId: list[0]!.accountId, region: list[0]!.region };
        try {
          const job = await deps.drs
            .forTarget(t)
            .terminateRecoveryInstances(list.map((i) => i.recoveryInstanceId));
          jobs.push({
            ...t,
            jobId: job.jobId,
            status: job.status,
            recoveryInstanceIds: list.map((i) => i.recoveryInstanceId),
          });
        } catch (error) {
          throw asUpstream(error, t);
        }
      }
      return { jobs };
    },

    /** Launch configuration (with its EC2 launch template ID) of every protected server in a region. */
    async launchTemplates(filter: { region: string; accountId?: string }, page: PageRequest) {
      const groups = (await store.protectionGroups.listAll()).filter(
        (g) => g.region === filter.region && (!filter.accountId || g.accountId === filter.accountId),
      );
      const resolved = await inventory.resolveGroups(groups);
      const servers = groups
        .flatMap((g) => (resolved.get(g.groupId) ?? []).map((s) => ({ g, s })))
        .sort((a, b) => a.s.hostname.localeCompare(b.s.hostname));
      const pageOfServers = pageArray(servers, page, filter);
      const items = await mapLimit(pageOfServers.items, 8, async ({ g, s }) => {
        try {
          const config = await deps.drs.forTarget(g).getLaunchConfiguration(s.sourceServerId);
          return {
            accountId: g.accountId,
            region: g.region,
            groupId: g.groupId,
            groupName: g.name,
            hostname: s.hostname,
            ...config,
          };
        } catch (error) {
          return {
            accountId: g.accountId,
            region: g.region,
            groupId: g.groupId,
            groupName: g.name,
            hostname: s.hostname,
            sourceServerId: s.sourceServerId,
            error: (error as Error).message,
          };
        }
      });
      return {
        items,
        ...(pageOfServers.nextToken ? { nextToken: pageOfServers.nextToken } : {}),
        count: servers.length,
      };
    },

    /** A DRS job's log straight from DRS, looked up in every configured account/region unless given. */
    async jobLog(jobId: string, filter: { accountId?: string; region?: string }) {
      for (const t of await targets(filter)) {
        const gateway = deps.drs.forTarget(t);
        let jobs: Awaited<ReturnType<typeof gateway.describeJobs>>;
        try {
          jobs = await gateway.describeJobs({ jobIds: [jobId] });
        } catch {
          continue;
        }
        const job = jobs.find((j) => j.jobId === jobId);
        if (job) return { job, items: await gateway.describeJobLogItems(jobId) };
      }
      throw new NotFoundError("DRS job", jobId, "JOB_NOT_FOUND");
    },
  };
}

export type InstanceService = ReturnType<typeof createInstanceService>;
