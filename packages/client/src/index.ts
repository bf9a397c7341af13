export {
  type ApiClient,
  type ApiClientOptions,
  createApiClient,
  etagOf,
  type TokenSource,
  unwrap,
} from "./api-client.js";
export { ApiError, type FieldError, type Problem } from "./api-error.js";
export { allPages } from "./pagination.js";
export type { components, paths } from "./schema.js";

import type { components } from "./schema.js";

/** The API's named schemas (`Schemas["RecoveryPlanView"]`). */
export type Schemas = components["schemas"];
