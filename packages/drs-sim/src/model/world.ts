import type { JobRecord, RecoveryInstanceRecord, RegionRecord, SourceServerRecord } from "./records.js";

export function regionKey(accountId: string, region: string): string {
  return `${accountId}/${region}`;
}

/** One account in one region: DRS state is regional. */
export class RegionState {
  readonly servers = new Map<string, SourceServerRecord>();
  readonly instances = new Map<string, RecoveryInstanceRecord>();
  readonly jobs = new Map<string, JobRecord>();
  private serverOrder: SourceServerRecord[] | undefined;
  private jobOrder: JobRecord[] | undefined;
  private instanceOrder: RecoveryInstanceRecord[] | undefined;

  constructor(readonly record: RegionRecord) {}

  get accountId(): string {
    return this.record.accountId;
  }
  get region(): string {
    return this.record.region;
  }

  /** Source servers by `addedToServiceDateTime`, then creation order (spec §4.2 suggests ID). */
  sortedServers(): SourceServerRecord[] {
    this.serverOrder ??= [...this.servers.values()].sort((a, b) => a.addedMs - b.addedMs || a.seq - b.seq);
    return this.serverOrder;
  }

  /** Jobs latest first (spec §4.6), creation order breaking ties. */
  sortedJobs(): JobRecord[] {
    this.jobOrder ??= [...this.jobs.values()].sort((a, b) => b.createdMs - a.createdMs || b.seq - a.seq);
    return this.jobOrder;
  }

  /** Recovery instances oldest first [DESIGN]. */
  sortedInstances(): RecoveryInstanceRecord[] {
    this.instanceOrder ??= [...this.instances.values()].sort(
      (a, b) => a.createdMs - b.createdMs || cmp(a.id, b.id),
    );
    return this.instanceOrder;
  }

  activeJobs(): JobRecord[] {
    const out: JobRecord[] = [];
    for (const job of this.jobs.values()) if (job.status !== "COMPLETED") out.push(job);
    return out;
  }

  invalidate(kind: "servers" | "jobs" | "instances"): void {
    if (kind === "servers") this.serverOrder = undefined;
    else if (kind === "jobs") this.jobOrder = undefined;
    else this.instanceOrder = undefined;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface WorldSnapshot {
  regions: RegionRecord[];
  servers: SourceServerRecord[];
  instances: RecoveryInstanceRecord[];
  jobs: JobRecord[];
}

/**
 * Every account and region the simulator knows, with global indexes by ID (IDs are unique across the
 * simulator because they all come from one seeded stream).
 */
export class World {
  private readonly regions = new Map<string, RegionState>();
  private readonly serverIndex = new Map<string, SourceServerRecord>();
  private readonly instanceIndex = new Map<string, RecoveryInstanceRecord>();
  private readonly jobIndex = new Map<string, JobRecord>();

  find(accountId: string, region: string): RegionState | undefined {
    return this.regions.get(regionKey(accountId, region));
  }

  /** The region's state, created on first use (INITIALIZED unless `initialized` is false). */
  ensure(accountId: string, region: string, initialized: boolean): RegionState {
    const key = regionKey(accountId, region);
    let state = this.regions.get(key);
    if (!state) {
      state = new RegionState({ accountId, region, initialized });
      this.regions.set(key, state);
    }
    return state;
  }

  allRegions(): RegionState[] {
    return [...this.regions.values()];
  }

  server(id: string): SourceServerRecord | undefined {
    return this.serverIndex.get(id);
  }
  instance(id: string): RecoveryInstanceRecord | undefined {
    return this.instanceIndex.get(id);
  }
  job(id: string): JobRecord | undefined {
    return this.jobIndex.get(id);
  }

  get serverCount(): number {
    return this.serverIndex.size;
  }

  addServer(server: SourceServerRecord): void {
    const region = this.ensure(server.accountId, server.region, true);
    region.servers.set(server.id, server);
    region.invalidate("servers");
    this.serverIndex.set(server.id, server);
  }

  addInstance(instance: RecoveryInstanceRecord): void {
    const region = this.ensure(instance.accountId, instance.region, true);
    region.instances.set(instance.id, instance);
    region.invalidate("instances");
    this.instanceIndex.set(instance.id, instance);
  }

  removeInstance(id: string): void {
    const instance = this.instanceIndex.get(id);
    if (!instance) return;
    const region = this.find(instance.accountId, instance.region);
    region?.instances.delete(id);
    region?.invalidate("instances");
    this.instanceIndex.delete(id);
  }

  addJob(job: JobRecord): void {
    const region = this.ensure(job.accountId, job.region, true);
    region.jobs.set(job.id, job);
    region.invalidate("jobs");
    this.jobIndex.set(job.id, job);
  }

  removeJob(id: string): void {
    const job = this.jobIndex.get(id);
    if (!job) return;
    const region = this.find(job.accountId, job.region);
    region?.jobs.delete(id);
    region?.invalidate("jobs");
    this.jobIndex.delete(id);
  }

  snapshot(): WorldSnapshot {
    return structuredClone({
      regions: this.allRegions().map((r) => r.record),
      servers: [...this.serverIndex.values()],
      instances: [...this.instanceIndex.values()],
      jobs: [...this.jobIndex.values()],
    });
  }

  static fromSnapshot(snapshot: WorldSnapshot): World {
    const world = new World();
    for (const region of snapshot.regions) world.ensure(region.accountId, region.region, region.initialized);
    for (const server of snapshot.servers) world.addServer(server);
    for (const instance of snapshot.instances) world.addInstance(instance);
    for (const job of snapshot.jobs) world.addJob(job);
    return world;
  }
}
