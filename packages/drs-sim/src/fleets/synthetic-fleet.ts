import type { FleetSpec, SourceServerSeed } from "./fleet-spec.js";

export interface SyntheticFleetOptions {
  count: number;
  accountId?: string;
  region?: string;
  /** Hours of snapshot history per server (default 2, to keep large fleets cheap). */
  snapshotsHistoryHours?: number;
}

const TIERS = ["web", "app", "db"] as const;
const APPS = ["orders", "billing", "crm", "analytics", "payments"] as const;

/** A large healthy fleet in one account and region (benchmarks and scale tests). */
export function syntheticFleet(options: SyntheticFleetOptions): FleetSpec {
  const servers: SourceServerSeed[] = [];
  for (let i = 0; i < options.count; i++) {
    const tier = TIERS[i % TIERS.length] ?? "app";
    const app = APPS[Math.floor(i / TIERS.length) % APPS.length] ?? "orders";
    servers.push({
      hostname: `${tier}-${app}-${String(i + 1).padStart(5, "0")}`,
      os: i % 5 === 4 ? "windows" : "linux",
      snapshotsHistoryHours: options.snapshotsHistoryHours ?? 2,
      tags: { App: app, Tier: tier, Environment: "prod", Owner: `${app}-team@example.com` },
    });
  }
  return {
    accounts: [
      {
        accountId: options.accountId ?? "123456789012",
        regions: [{ region: options.region ?? "us-east-1", servers }],
      },
    ],
  };
}
