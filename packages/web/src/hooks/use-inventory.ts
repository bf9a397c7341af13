import { type ApiClient, allPages, type Schemas, unwrap } from "@drso/client";
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
    targets.map((t) =>
      allPages((nextToken) =>
        unwrap(
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
        ),
      ),
    ),
  );
  return perTarget.flat();
}

/** Every protection group (all pages). */
export function fetchAllGroups(api: ApiClient): Promise<Schemas["ProtectionGroupView"][]> {
  return allPages((nextToken) =>
    unwrap(
      api.GET("/protection-groups", {
        params: { query: { limit: 100, ...(nextToken ? { nextToken } : {}) } },
      }),
    ),
  );
}

export function fetchAllPlans(api: ApiClient): Promise<Schemas["RecoveryPlanView"][]> {
  return allPages((nextToken) =>
    unwrap(
      api.GET("/recovery-plans", { params: { query: { limit: 100, ...(nextToken ? { nextToken } : {}) } } }),
    ),
  );
}
