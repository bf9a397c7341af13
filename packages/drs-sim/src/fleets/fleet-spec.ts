import { DATA_REPLICATION_ERRORS, DATA_REPLICATION_STATES } from "../model/drs-enums.js";
import type { SourceServerSeed } from "../model/source-server-factory.js";

export type { SourceServerSeed } from "../model/source-server-factory.js";

/** A fleet: accounts, their regions and source servers (the JSON fleet file format). */
export interface FleetSpec {
  accounts: {
    accountId: string;
    regions: {
      region: string;
      /** Default true: DRS already initialized in this account and region. */
      initialized?: boolean;
      servers: SourceServerSeed[];
    }[];
  }[];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

type FieldCheck = (v: unknown) => boolean;
const str: FieldCheck = (v) => typeof v === "string";
const num: FieldCheck = (v) => typeof v === "number" && Number.isFinite(v) && v >= 0;
const bool: FieldCheck = (v) => typeof v === "boolean";
const oneOf =
  (...values: readonly string[]): FieldCheck =>
  (v) =>
    typeof v === "string" && values.includes(v);

const SEED_FIELDS: Record<keyof SourceServerSeed, FieldCheck> = {
  hostname: (v) => typeof v === "string" && v.length > 0 && v.length <= 255,
  id: (v) => typeof v === "string" && /^s-[0-9a-zA-Z]{17}$/.test(v),
  os: oneOf("linux", "windows"),
  osFullString: str,
  disks: (v) =>
    Array.isArray(v) &&
    v.length > 0 &&
    v.length <= 60 &&
    v.every((d) => isObject(d) && typeof d.deviceName === "string" && num(d.bytes)),
  cpuCores: (v) => typeof v === "number" && Number.isInteger(v) && v >= 1,
  ramBytes: num,
  recommendedInstanceType: str,
  state: oneOf(...DATA_REPLICATION_STATES),
  error: oneOf(...DATA_REPLICATION_ERRORS),
  rawError: str,
  stateMinutesAgo: num,
  progress: (v) => typeof v === "number" && v >= 0 && v <= 1,
  lagSeconds: num,
  backlogBytes: num,
  originEnvironment: oneOf("ON_PREMISES", "AWS"),
  originRegion: (v) => typeof v === "string" && /^[a-z0-9-]{1,32}$/.test(v),
  originAccountID: (v) => typeof v === "string" && /^\d{12}$/.test(v),
  originAvailabilityZone: str,
  tags: (v) =>
    isObject(v) &&
    Object.keys(v).length <= 50 &&
    Object.entries(v).every(([k, x]) => k.length <= 256 && typeof x === "string" && x.length <= 256),
  snapshotsHistoryHours: num,
  ip: (v) => typeof v === "string" && /^\d{1,3}(\.\d{1,3}){3}$/.test(v),
  launchDisposition: oneOf("STOPPED", "STARTED"),
  copyPrivateIp: bool,
  copyTags: bool,
};

/** Problems in one server description (empty when fine). */
export function seedProblems(seed: unknown, where: string): string[] {
  if (!isObject(seed)) return [`${where}: must be an object`];
  const problems: string[] = [];
  if (typeof seed.hostname !== "string") problems.push(`${where}.hostname: required`);
  for (const [key, value] of Object.entries(seed)) {
    const check = (SEED_FIELDS as Record<string, FieldCheck>)[key];
    if (!check) problems.push(`${where}.${key}: unknown field`);
    else if (value !== undefined && !check(value))
      problems.push(`${where}.${key}: invalid value ${JSON.stringify(value)}`);
  }
  if (seed.originEnvironment === "AWS" && typeof seed.originRegion !== "string") {
    problems.push(`${where}.originRegion: required when originEnvironment is AWS`);
  }
  return problems;
}

/** Problems in a whole fleet (empty when fine). */
export function fleetProblems(spec: unknown): string[] {
  if (!isObject(spec) || !Array.isArray(spec.accounts))
    return ["fleet must be an object with an 'accounts' array"];
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const [a, account] of (spec.accounts as unknown[]).entries()) {
    const where = `accounts[${a}]`;
    if (!isObject(account)) {
      problems.push(`${where}: must be an object`);
      continue;
    }
    if (typeof account.accountId !== "string" || !/^\d{12}$/.test(account.accountId))
      problems.push(`${where}.accountId: must be 12 digits`);
    if (!Array.isArray(account.regions)) {
      problems.push(`${where}.regions: must be an array`);
      continue;
    }
    for (const [r, region] of (account.regions as unknown[]).entries()) {
      const at = `${where}.regions[${r}]`;
      if (!isObject(region)) {
        problems.push(`${at}: must be an object`);
        continue;
      }
      if (typeof region.region !== "string" || !/^[a-z0-9-]{1,32}$/.test(region.region))
        problems.push(`${at}.region: must be a region name such as us-east-1`);
      if (region.initialized !== undefined && typeof region.initialized !== "boolean")
        problems.push(`${at}.initialized: must be true or false`);
      if (!Array.isArray(region.servers)) {
        problems.push(`${at}.servers: must be an array`);
        continue;
      }
      for (const [s, server] of (region.servers as unknown[]).entries()) {
        problems.push(...seedProblems(server, `${at}.servers[${s}]`));
        const id = isObject(server) ? server.id : undefined;
        if (typeof id === "string") {
          if (ids.has(id)) problems.push(`${at}.servers[${s}].id: duplicate ${id}`);
          ids.add(id);
        }
      }
    }
  }
  return problems.slice(0, 50);
}

export function fleetServerCount(spec: FleetSpec): number {
  return spec.accounts.reduce((n, a) => n + a.regions.reduce((m, r) => m + r.servers.length, 0), 0);
}
