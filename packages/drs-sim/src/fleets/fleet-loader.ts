import { readFileSync } from "node:fs";
import type { Simulation } from "../model/simulation.js";
import { createSourceServer } from "../model/source-server-factory.js";
import { demoFleet } from "./demo-fleet.js";
import { type FleetSpec, fleetProblems } from "./fleet-spec.js";

export type FleetOption = "demo" | "empty" | string | FleetSpec;

/** Resolves the `fleet` option: the demo fleet, nothing, a JSON file, or a spec object. */
export function resolveFleet(option: FleetOption | undefined): FleetSpec {
  if (option === undefined || option === "empty") return { accounts: [] };
  if (option === "demo") return demoFleet();
  if (typeof option === "string") return loadFleetFile(option);
  const problems = fleetProblems(option);
  if (problems.length > 0) throw new Error(`invalid fleet: ${problems.join("; ")}`);
  return option;
}

export function loadFleetFile(path: string): FleetSpec {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`cannot read fleet file ${path}: ${(error as Error).message}`);
  }
  const problems = fleetProblems(parsed);
  if (problems.length > 0) throw new Error(`invalid fleet file ${path}: ${problems.join("; ")}`);
  return parsed as FleetSpec;
}

/** Creates the fleet's regions and servers in the simulation (IDs from the seeded stream, in file order). */
export function applyFleet(sim: Simulation, fleet: FleetSpec): string[] {
  const ids: string[] = [];
  for (const account of fleet.accounts) {
    for (const region of account.regions) {
      const state = sim.world.ensure(account.accountId, region.region, region.initialized ?? true);
      state.record.initialized = region.initialized ?? true;
      region.servers.forEach((seed, i) => {
        const server = createSourceServer(
          sim,
          account.accountId,
          region.region,
          seed,
          region.servers.length - i,
        );
        sim.world.addServer(server);
        ids.push(server.id);
      });
    }
  }
  return ids;
}
