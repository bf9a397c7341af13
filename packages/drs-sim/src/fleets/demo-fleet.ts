import type { FleetSpec, SourceServerSeed } from "./fleet-spec.js";

const GIB = 1024 ** 3;

function server(
  hostname: string,
  app: string,
  tier: "web" | "app" | "db",
  env: "prod" | "staging",
  extra: Partial<SourceServerSeed> = {},
): SourceServerSeed {
  const os = extra.os ?? "linux";
  const dataDisk = tier === "db" ? 500 : tier === "app" ? 100 : 50;
  return {
    hostname,
    os,
    disks:
      os === "windows"
        ? [
            { deviceName: "PhysicalDrive0", bytes: 120 * GIB },
            { deviceName: "PhysicalDrive1", bytes: dataDisk * GIB },
          ]
        : [
            { deviceName: "/dev/sda", bytes: 30 * GIB },
            { deviceName: "/dev/sdb", bytes: dataDisk * GIB },
          ],
    cpuCores: tier === "db" ? 8 : tier === "app" ? 4 : 2,
    ramBytes: (tier === "db" ? 64 : tier === "app" ? 16 : 8) * GIB,
    recommendedInstanceType: tier === "db" ? "r5.2xlarge" : tier === "app" ? "m5.xlarge" : "t3.large",
    tags: { App: app, Tier: tier, Environment: env, Owner: `${app}-team@example.com` },
    ...extra,
  };
}

const windows = { os: "windows" as const };

/**
 * The built-in demo fleet: two accounts × two regions, 30 servers, mostly healthy with a few realistic
 * exceptions (initial sync, a stalled agent, a backlog, EC2-origin servers). With the same seed it always has
 * the same source server IDs.
 */
export function demoFleet(): FleetSpec {
  return {
    accounts: [
      {
        accountId: "111122223333",
        regions: [
          {
            region: "us-east-1",
            servers: [
              server("web-orders-01", "orders", "web", "prod"),
              server("web-orders-02", "orders", "web", "prod"),
              server("app-orders-01", "orders", "app", "prod"),
              server("app-orders-02", "orders", "app", "prod"),
              server("db-orders-01", "orders", "db", "prod", {
                state: "BACKLOG",
                lagSeconds: 420,
                backlogBytes: 6 * GIB,
                stateMinutesAgo: 12,
              }),
              server("web-billing-01", "billing", "web", "prod", windows),
              server("app-billing-01", "billing", "app", "prod", windows),
              server("db-billing-01", "billing", "db", "prod", windows),
              server("web-crm-01", "crm", "web", "prod"),
              server("web-crm-02", "crm", "web", "prod", {
                state: "STALLED",
                error: "AGENT_NOT_SEEN",
                stateMinutesAgo: 45,
              }),
              server("app-crm-01", "crm", "app", "prod"),
              server("db-crm-01", "crm", "db", "prod"),
              server("app-analytics-01", "analytics", "app", "staging", {
                state: "INITIAL_SYNC",
                progress: 0.35,
              }),
              server("web-inventory-01", "inventory", "web", "prod", {
                originEnvironment: "AWS",
                originRegion: "us-west-2",
              }),
              server("db-inventory-01", "inventory", "db", "prod", {
                originEnvironment: "AWS",
                originRegion: "us-west-2",
              }),
              server("app-billing-stg-01", "billing", "app", "staging", windows),
            ],
          },
          {
            region: "us-west-2",
            servers: [
              server("web-analytics-01", "analytics", "web", "prod"),
              server("app-analytics-02", "analytics", "app", "prod"),
              server("db-analytics-01", "analytics", "db", "prod"),
              server("web-orders-stg-01", "orders", "web", "staging"),
              server("app-orders-stg-01", "orders", "app", "staging"),
            ],
          },
        ],
      },
      {
        accountId: "444455556666",
        regions: [
          {
            region: "us-east-1",
            servers: [
              server("web-payments-01", "payments", "web", "prod"),
              server("app-payments-01", "payments", "app", "prod"),
              server("db-payments-01", "payments", "db", "prod", windows),
              server("app-hr-01", "hr", "app", "prod", windows),
              server("db-hr-01", "hr", "db", "prod", windows),
            ],
          },
          {
            region: "us-west-2",
            servers: [
              server("web-portal-01", "portal", "web", "prod"),
              server("app-portal-01", "portal", "app", "prod"),
              server("db-portal-01", "portal", "db", "prod"),
              server("app-batch-01", "portal", "app", "staging"),
            ],
          },
        ],
      },
    ],
  };
}
