/**
 * Roles and permissions from the specification (Cognito `custom:role`), and the role → permission matrix
 * as data. The seed names roles and permissions but not the matrix; the choice is recorded in
 * docs/decisions/002-role-permission-matrix.md.
 */
export const ROLES = ["DRSAdmin", "DRSOperator", "DRSViewer", "DRSAuditor", "DRSCrossAccount"] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  "drs:ViewResources",
  "drs:CreateProtectionGroup",
  "drs:UpdateProtectionGroup",
  "drs:DeleteProtectionGroup",
  "drs:CreateRecoveryPlan",
  "drs:UpdateRecoveryPlan",
  "drs:DeleteRecoveryPlan",
  "drs:ExecuteRecovery",
  "drs:ManageExecution",
  "drs:TerminateInstances",
  "drs:ManageAccounts",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Capabilities outside the seed's permission list, needed by routes the seed does not have. */
export const CAPABILITIES = ["admin:ManageUsers", "audit:ReadAuditLog", "admin:ForceEndExecution"] as const;
export type Capability = (typeof CAPABILITIES)[number];

export type Grant = Permission | Capability;

export const ROLE_GRANTS: Readonly<Record<Role, readonly Grant[]>> = {
  DRSAdmin: [...PERMISSIONS, "admin:ManageUsers", "audit:ReadAuditLog", "admin:ForceEndExecution"],
  DRSOperator: [
    "drs:ViewResources",
    "drs:CreateProtectionGroup",
    "drs:UpdateProtectionGroup",
    "drs:DeleteProtectionGroup",
    "drs:CreateRecoveryPlan",
    "drs:UpdateRecoveryPlan",
    "drs:DeleteRecoveryPlan",
    "drs:ExecuteRecovery",
    "drs:ManageExecution",
    "drs:TerminateInstances",
  ],
  DRSViewer: ["drs:ViewResources"],
  DRSAuditor: ["drs:ViewResources", "audit:ReadAuditLog"],
  DRSCrossAccount: ["drs:ViewResources", "drs:ManageAccounts"],
};

/** Cognito group names that map to roles when `custom:role` is absent. */
export const GROUP_ROLES: Readonly<Record<string, Role>> = {
  DRSAdmins: "DRSAdmin",
  DRSAdmin: "DRSAdmin",
  DRSOperators: "DRSOperator",
  DRSOperator: "DRSOperator",
  DRSViewers: "DRSViewer",
  DRSViewer: "DRSViewer",
  DRSAuditors: "DRSAuditor",
  DRSAuditor: "DRSAuditor",
  DRSCrossAccount: "DRSCrossAccount",
  DRSCrossAccounts: "DRSCrossAccount",
};

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

export function grantsOf(role: Role): readonly Grant[] {
  return ROLE_GRANTS[role];
}

export function can(role: Role, grant: Grant): boolean {
  return ROLE_GRANTS[role].includes(grant);
}

/**
 * The role carried by token claims: `custom:role` wins; otherwise the most privileged role among
 * `cognito:groups`. Returns undefined when neither names a known role.
 */
export function roleFromClaims(claims: Record<string, unknown>): Role | undefined {
  const custom = claims["custom:role"];
  if (isRole(custom)) return custom;
  const groups = claims["cognito:groups"];
  if (!Array.isArray(groups)) return undefined;
  const roles = groups.map((g) => (typeof g === "string" ? GROUP_ROLES[g] : undefined)).filter(isRole);
  return ROLES.find((r) => roles.includes(r));
}
