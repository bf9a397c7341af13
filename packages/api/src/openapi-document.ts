import type { Services } from "@drso/app";
import { type IdentityProvider, type TokenVerifier, UnauthenticatedError } from "@drso/core";
import { createApi } from "./app.js";

const unusable = (): never => {
  throw new UnauthenticatedError("document-only API instance");
};

/**
 * The OpenAPI document of the full API (local mode, with /auth routes), built without any backing service:
 * route registration never touches the services, only requests do.
 */
export function buildOpenApiDocument(version = "0.1.0") {
  const verifier: TokenVerifier = { verify: unusable };
  const identity: IdentityProvider = {
    verify: unusable,
    login: unusable,
    refresh: unusable,
    logout: unusable,
    jwks: unusable,
  };
  const { openApiDocument } = createApi({
    services: {} as Services,
    verifier,
    identity,
    version,
    mode: { drs: "sim", store: "sqlite", identity: "local" },
  });
  return openApiDocument();
}
