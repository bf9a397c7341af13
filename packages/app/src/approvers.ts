import { type ActionRun, DEFAULT_SETTINGS, type Execution, ForbiddenError, type Role } from "@drso/core";
import type { AppDeps } from "./deps.js";

/**
 * Who may decide a waiting approval (docs/concepts.md, "Approvals"; decision 020):
 * - the approval's `approvers` (roles and/or user ids), when it names any — for approve and reject alike;
 * - with the `forbidSelfApproval` setting (four-eyes), never the user who started the execution — for approve
 *   only: anyone may stop their own execution.
 */
export async function checkApprover(
  deps: Pick<AppDeps, "store">,
  e: Execution,
  run: ActionRun,
  decision: "approve" | "reject",
  by: string,
  principal: { role: Role } | undefined,
): Promise<void> {
  const who = by.toLowerCase();
  const settings = { ...DEFAULT_SETTINGS, ...(await deps.store.settings.get())?.settings };
  if (decision === "approve" && settings.forbidSelfApproval && e.initiatedBy.toLowerCase() === who) {
    throw new ForbiddenError(
      `${by} started this execution and may not approve its own gate (four-eyes: the forbidSelfApproval setting); another user must approve.`,
      { actionId: run.actionId, initiatedBy: e.initiatedBy },
      "SELF_APPROVAL_FORBIDDEN",
    );
  }
  const approvers = run.action.type === "approval" ? run.action.approvers : undefined;
  if (!approvers) return;
  const byRole = principal !== undefined && (approvers.roles ?? []).includes(principal.role);
  const byUser = (approvers.users ?? []).some((u) => u.toLowerCase() === who);
  if (!byRole && !byUser) {
    const named = [
      ...(approvers.roles?.length ? [`roles ${approvers.roles.join(", ")}`] : []),
      ...(approvers.users?.length ? [`users ${approvers.users.join(", ")}`] : []),
    ].join(" or ");
    throw new ForbiddenError(
      `Only ${named} may ${decision} this approval; ${by} may not.`,
      { actionId: run.actionId, approvers },
      "NOT_AN_APPROVER",
    );
  }
}
