import type { Grant } from "@drso/core";

/** Who may call a route: anyone, any signed-in user, or holders of a permission from the RBAC matrix. */
export type Access = Grant | "public" | "authenticated";

export interface RouteMeta {
  method: string;
  /** OpenAPI-style path below the base path, e.g. `/protection-groups/{id}`. */
  path: string;
  access: Access;
  /** Audit action for mutating routes, e.g. `protection-group.create`. */
  audit?: string;
  /** Audit target type, e.g. `protection-group`. */
  target?: string;
}
