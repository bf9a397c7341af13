import { type ApiClient, type Schemas, unwrap } from "../api/client.js";
import { useApi } from "../app-context.js";
import { useQuery } from "./use-query.js";

export type Target = Schemas["DrsAccountStatus"];
export type SourceServer = Schemas["SourceServerView"];

/** The account/region targets DRS is reachable in (what discovery iterates over). */
export function useTargets() {
  const api = useApi();
  return useQuery(async () => (await unwrap(api.GET("/drs/accounts"))).items, [api]);
}

/** Every source server of the given targets (each target paged through), with the API's filters. */
export async function fetchAllSourceServers(
  api: ApiClient,
  targets: Array<Pick<Target, "accountId" | "region">>,
  filters: { replicationStatus?: string; assignmentStatus?: "assigned" | "unassigned"; tag?: string } = {},
): Promise<SourceServer[]> {
  const perTarget = await Promise.all(
    targets.map(async (t) => {
      const servers: SourceServer[] = [];
      let nextToken: string | undefined;
      do {
        const page = await unwrap(
          api.GET("/drs/source-servers", {
            params: {
              query: {
                accountId: t.accountId,
                region: t.region,
                limit: 100,
                ...filters,
                ...(nextToken ? { nextToken } : {}),
              },
            },
          }),
        );
        servers.push(...page.items);
        nextToken = page.nextToken;
      } while (nextToken);
      return servers;
    }),
  );
  return perTarget.flat();
}

/** Every protection group (all pages). */
export async function fetchAllGroups(api: ApiClient): Promise<Schemas["ProtectionGroupView"][]> {
  const groups: Schemas["ProtectionGroupView"][] = [];
  let nextToken: string | undefined;
  do {
    const page = await unwrap(
      api.GET("/protection-groups", {
        params: { query: { limit: 100, ...(nextToken ? { nextToken } : {}) } },
      }),
    );
    groups.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken);
  return groups;
}

export async function fetchAllPlans(api: ApiClient): Promise<Schemas["RecoveryPlanView"][]> {
  const plans: Schemas["RecoveryPlanView"][] = [];
  let nextToken: string | undefined;
  do {
    const page = await unwrap(
      api.GET("/recovery-plans", { params: { query: { limit: 100, ...(nextToken ? { nextToken } : {}) } } }),
    );
    plans.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken);
  return plans;
}
