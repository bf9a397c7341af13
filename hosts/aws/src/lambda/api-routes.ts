import { createApi } from "@drso/api";
import { createServices } from "@drso/app";
import { SystemClock } from "@drso/clock";
import { type DrsGatewayFactory, UnauthenticatedError, type UserDirectory } from "@drso/core";
import { createMemoryStore } from "@drso/store";
import { API_BASE_PATH } from "./api-lambda.js";

/** Routes the API Lambda serves but API Gateway does not expose (with why). */
export const NOT_ON_API_GATEWAY: Record<string, string> = {
  "GET /executions/{id}/events/stream":
    "server-sent events need a streaming response; API Gateway REST buffers it (clients poll /executions/{id}/events)",
};

export interface GatewayRoute {
  method: string;
  /** Below the base path, OpenAPI style: `/executions/{id}/pause`. */
  path: string;
  public: boolean;
  pathParameters: string[];
  requiredQueryParameters: string[];
  /** The operation takes a JSON body (API Gateway checks that it is a JSON object; the app validates the rest). */
  jsonBody: boolean;
}

const unused = () => {
  throw new Error("not used to build the route table");
};

/**
 * The routes of the API as the Lambda serves them on AWS (no `/auth/*`: Cognito issues tokens), read from the
 * app's own OpenAPI document so that API Gateway and the Lambda cannot disagree. Building the app touches no
 * I/O: the ports are inert.
 */
export function gatewayRoutes(version = "0.1.0"): GatewayRoute[] {
  const users: UserDirectory = {
    list: unused,
    get: unused,
    create: unused,
    update: unused,
    delete: unused,
    ensureInitialAdmin: unused,
  };
  const services = createServices({
    store: createMemoryStore(),
    drs: { forTarget: unused } as unknown as DrsGatewayFactory,
    clock: new SystemClock(),
    newId: () => crypto.randomUUID(),
    users,
  });
  const api = createApi({
    services,
    verifier: {
      verify: async () => {
        throw new UnauthenticatedError("inert");
      },
    },
    basePath: API_BASE_PATH,
    version,
    mode: { drs: "aws", store: "dynamodb", identity: "cognito" },
  });
  const document = api.openApiDocument() as unknown as {
    paths?: Record<
      string,
      Record<
        string,
        {
          security?: unknown[];
          parameters?: Array<{ in: string; name: string; required?: boolean }>;
          requestBody?: { content?: Record<string, unknown> };
        }
      >
    >;
  };
  const routes: GatewayRoute[] = [];
  for (const [path, operations] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(operations)) {
      const key = `${method.toUpperCase()} ${path}`;
      if (NOT_ON_API_GATEWAY[key]) continue;
      const parameters = operation.parameters ?? [];
      routes.push({
        method: method.toUpperCase(),
        path,
        public: !operation.security || operation.security.length === 0,
        pathParameters: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!),
        requiredQueryParameters: parameters.filter((p) => p.in === "query" && p.required).map((p) => p.name),
        jsonBody: Boolean(operation.requestBody?.content?.["application/json"]),
      });
    }
  }
  // Served by the app outside the route kit.
  routes.push({
    method: "GET",
    path: "/openapi.json",
    public: true,
    pathParameters: [],
    requiredQueryParameters: [],
    jsonBody: false,
  });
  return routes;
}
