import { unwrap } from "@drso/client";
import { useApi } from "../app-context.js";
import { useQuery } from "./use-query.js";

/**
 * What stands between this installation and DRS, from GET /config/health: in DRSO_DRS_MODE=aws, whether
 * the server found AWS credentials (the "aws-credentials" check). Undefined while unknown.
 */
export function useDrsSetup() {
  const api = useApi();
  // Once per page: the notice asks the operator to reload after configuring credentials.
  const health = useQuery(async () => (await unwrap(api.GET("/config/health"))).checks, [api]);
  const credentials = health.data?.find((c) => c.name === "aws-credentials");
  return {
    loaded: health.data !== undefined,
    /** The health check could not be read (the notice is then left out). */
    failed: health.error !== undefined,
    /** The server's explanation when DRS cannot be called for lack of AWS credentials. */
    credentialsMissing:
      credentials && !credentials.ok ? (credentials.detail ?? "No AWS credentials") : undefined,
  };
}
