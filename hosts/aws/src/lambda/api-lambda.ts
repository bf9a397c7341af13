import { AsyncLocalStorage } from "node:async_hooks";
import { createApi } from "@drso/api";
import type { Services } from "@drso/app";
import { type Principal, type TokenVerifier, UnauthenticatedError } from "@drso/core";
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { handle } from "hono/aws-lambda";
import { silentTelemetry, type Telemetry } from "./telemetry.js";

/** Where the API lives below the stage URL (and below the CloudFront domain): the same `/api` as local mode. */
export const API_BASE_PATH = "/api";

/** Claims as API Gateway's Cognito authorizer passes them (`requestContext.authorizer.claims`): all strings. */
export type AuthorizerClaims = Record<string, unknown>;

export interface ApiHandlerDeps {
  services: Services;
  /** Verifies the bearer token itself (Cognito JWKS), even though the authorizer already did. */
  verifier: TokenVerifier;
  /**
   * Maps the authorizer's claims (strings; `cognito:groups` flattened) to the Principal every mode uses:
   * `principalFromClaims` from @drso/identity.
   */
  principalFromClaims: (claims: AuthorizerClaims) => Principal;
  version: string;
  corsOrigins?: string[];
  rateLimit?: { ratePerSecond: number; burst: number };
  telemetry?: Telemetry;
}

interface RequestScope {
  claims?: AuthorizerClaims;
}

/**
 * Defence in depth: the token is verified here (signature, issuer, audience, expiry, token use) whatever the
 * authorizer said, and when the authorizer passed claims, they must name the same user with the same role.
 * The principal is the one mapped from the authorizer's claims, so both modes see the same type.
 */
export function authorizerAwareVerifier(
  inner: TokenVerifier,
  principalFromClaims: (claims: AuthorizerClaims) => Principal,
  scope: AsyncLocalStorage<RequestScope>,
): TokenVerifier {
  return {
    async verify(token: string): Promise<Principal> {
      const verified = await inner.verify(token);
      const claims = scope.getStore()?.claims;
      if (!claims || Object.keys(claims).length === 0) return verified;
      let fromAuthorizer: Principal;
      try {
        fromAuthorizer = principalFromClaims(claims);
      } catch {
        throw new UnauthenticatedError("The authorizer's claims could not be read.");
      }
      if (fromAuthorizer.sub !== verified.sub || fromAuthorizer.role !== verified.role)
        throw new UnauthenticatedError("The token does not match the identity the authorizer established.");
      return fromAuthorizer;
    },
  };
}

/**
 * The API Lambda: the same Hono app as local mode (`createApi`), adapted by `hono/aws-lambda`. There are no
 * `/auth/*` routes on AWS (Cognito issues the tokens) and no live event stream (API Gateway buffers
 * responses; clients poll `/executions/{id}/events`).
 */
export function createApiHandler(deps: ApiHandlerDeps) {
  const telemetry = deps.telemetry ?? silentTelemetry;
  const scope = new AsyncLocalStorage<RequestScope>();
  const api = createApi({
    services: deps.services,
    verifier: authorizerAwareVerifier(deps.verifier, deps.principalFromClaims, scope),
    basePath: API_BASE_PATH,
    version: deps.version,
    mode: { drs: "aws", store: "dynamodb", identity: "cognito" },
    corsOrigins: deps.corsOrigins ?? [],
    ...(deps.rateLimit ? { rateLimit: deps.rateLimit } : {}),
    clientAddress: (c) => {
      const env = (c as unknown as { env?: { event?: APIGatewayProxyEvent } }).env;
      return env?.event?.requestContext?.identity?.sourceIp ?? "unknown";
    },
    log: (message, detail) => telemetry.error(message, detail),
  });
  const honoHandler = handle(api.app);

  async function handler(event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> {
    const claims = (event.requestContext?.authorizer as { claims?: AuthorizerClaims } | null | undefined)
      ?.claims;
    const result = (await scope.run(claims ? { claims } : {}, () =>
      honoHandler(event as never, context as never),
    )) as APIGatewayProxyResult;
    telemetry.count(`Http${String(result.statusCode).charAt(0)}xx`);
    return result;
  }

  return { handler, routes: api.routes };
}
