export { type ApiOptions, createApi } from "./app.js";
export type { ApiEnv } from "./env.js";
export { etagOf, expectedVersion } from "./http/etag.js";
export {
  errorToResponse,
  malformedRequestResponse,
  problemBody,
  problemResponse,
  unparsableRequestResponse,
} from "./http/problem.js";
export { buildOpenApiDocument } from "./openapi-document.js";
export {
  type Access,
  COMMON_ERRORS,
  CONFLICT,
  jsonBody,
  jsonResponse,
  NOT_FOUND,
  PageQuery,
  PRECONDITION,
  pageOf,
  QueryBool,
  type RouteKit,
  type RouteMeta,
  UPSTREAM,
} from "./route-kit.js";
export { stripUndefined } from "./routes/protection-groups.js";
