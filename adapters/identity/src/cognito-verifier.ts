import { type Principal, roleFromClaims, type TokenVerifier, UnauthenticatedError } from "@drso/core";
import { CognitoJwtVerifier } from "aws-jwt-verify";
import { JwtExpiredError } from "aws-jwt-verify/error";
import { type Jwks, SimpleJwksCache } from "aws-jwt-verify/jwk";

export interface CognitoVerifierOptions {
  /** e.g. `us-east-1_AbCdEf123`; its prefix is the region. */
  userPoolId: string;
  /** The app client: ID tokens must carry it as `aud`, access tokens as `client_id`. */
  clientId: string;
  /** Checked against the pool ID's region when given. */
  region?: string;
  /**
   * A JWKS to trust instead of downloading the pool's (tests, emulators, offline hosts). With it the
   * verifier never goes to the network: a token signed by any other key is refused.
   */
  jwks?: unknown;
}

/** Anything longer is not a Cognito token; refuse before parsing. */
const MAX_TOKEN_LENGTH = 16_384;

const invalidToken = () => new UnauthenticatedError("The token is invalid.", "UNAUTHENTICATED");

/**
 * `cognito:groups` as Cognito puts it in a JWT (an array) or as API Gateway passes authorizer claims on:
 * REST APIs flatten it to `"DRSAdmins,DRSViewers"`, HTTP APIs to `"[DRSAdmins DRSViewers]"`.
 */
export function groupsFromClaim(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === "string" && g.length > 0);
  if (typeof value !== "string") return [];
  const trimmed = value.trim();
  const inner = trimmed.startsWith("[") && trimmed.endsWith("]") ? trimmed.slice(1, -1) : trimmed;
  return inner
    .split(/[\s,]+/)
    .map((g) => g.trim())
    .filter((g) => g.length > 0);
}

/**
 * Maps verified Cognito claims (a JWT payload, or API Gateway's `requestContext.authorizer.claims`) to the
 * same Principal that local mode produces. The role is `custom:role`, else the most privileged role among
 * `cognito:groups` (ID tokens carry both; access tokens carry only the groups). The e-mail is the ID
 * token's `email`; an access token has only `username` (the user's sub when e-mail is the sign-in name).
 * Throws UnauthenticatedError when the claims name no subject, no token use or no known role.
 */
export function principalFromClaims(claims: Record<string, unknown>): Principal {
  const tokenUse = claims.token_use;
  if (tokenUse !== "id" && tokenUse !== "access") throw invalidToken();
  const sub = claims.sub;
  if (typeof sub !== "string" || sub.length === 0) throw invalidToken();
  const groups = groupsFromClaim(claims["cognito:groups"]);
  const role = roleFromClaims({ ...claims, "cognito:groups": groups });
  if (role === undefined) {
    throw new UnauthenticatedError("The token carries no DRS Orchestrator role.", "NO_ROLE");
  }
  const email = [claims.email, claims.username, claims["cognito:username"]].find(
    (v): v is string => typeof v === "string" && v.length > 0,
  );
  return { sub, email: email ?? sub, role, groups, tokenUse };
}

/**
 * Verifies Cognito ID and access tokens with aws-jwt-verify: RS256 signature against the pool's JWKS,
 * issuer (the pool), `token_use`, the app client (`aud` / `client_id`) and expiry. Every failure is an
 * UnauthenticatedError (TOKEN_EXPIRED for a genuine but expired token).
 *
 * As with API Gateway's Cognito authorizer, a token stays valid until it expires even if the user is
 * disabled meanwhile (Cognito revokes refresh tokens, not issued ID/access tokens).
 */
export function createCognitoVerifier(options: CognitoVerifierOptions): TokenVerifier {
  const poolRegion = options.userPoolId.split("_")[0];
  if (options.region !== undefined && options.region !== poolRegion) {
    throw new Error(
      `Cognito user pool ${options.userPoolId} is in ${poolRegion ?? "?"}, not in the configured region ${options.region}.`,
    );
  }
  const offline = options.jwks !== undefined;
  const jwksCache = offline
    ? new SimpleJwksCache({
        fetcher: {
          async fetch(uri: string): Promise<ArrayBuffer> {
            throw new Error(`JWKS is pinned; not fetching ${uri}`);
          },
        },
      })
    : undefined;
  const verifier = CognitoJwtVerifier.create(
    { userPoolId: options.userPoolId, clientId: options.clientId, tokenUse: null },
    jwksCache ? { jwksCache } : undefined,
  );
  if (offline) verifier.cacheJwks(options.jwks as Jwks);

  return {
    async verify(token) {
      if (typeof token !== "string" || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
        throw invalidToken();
      }
      let payload: Record<string, unknown>;
      try {
        payload = (await verifier.verify(token)) as Record<string, unknown>;
      } catch (error) {
        if (error instanceof JwtExpiredError) {
          throw new UnauthenticatedError("The token has expired.", "TOKEN_EXPIRED");
        }
        throw invalidToken();
      }
      return principalFromClaims(payload);
    },
  };
}
