import type { ReactNode } from "react";
import { useSession } from "../app-context.js";

/** Renders its children only for callers holding the permission: mutating controls are hidden otherwise. */
export function Can({
  permission,
  children,
  fallback,
}: {
  permission: string;
  children: ReactNode;
  fallback?: ReactNode;
}) {
  const { can } = useSession();
  return <>{can(permission) ? children : (fallback ?? null)}</>;
}

export const PERMISSION_NAMES: Record<string, string> = {
  "drs:CreateProtectionGroup": "create protection groups",
  "drs:UpdateProtectionGroup": "edit protection groups",
  "drs:DeleteProtectionGroup": "delete protection groups",
  "drs:CreateRecoveryPlan": "create recovery plans",
  "drs:UpdateRecoveryPlan": "edit recovery plans",
  "drs:DeleteRecoveryPlan": "delete recovery plans",
  "drs:ExecuteRecovery": "run drills and recoveries",
  "drs:ManageExecution": "control executions",
  "drs:TerminateInstances": "terminate recovery instances",
  "drs:ManageAccounts": "manage accounts and settings",
  "admin:ManageUsers": "manage users",
  "audit:ReadAuditLog": "read the audit log",
};

/** Why a control is disabled, for Cloudscape's `disabledReason`. */
export function deniedReason(permission: string, role: string): string {
  return `Your role (${role}) cannot ${PERMISSION_NAMES[permission] ?? permission}.`;
}
