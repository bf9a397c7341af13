import { describe, expect, it } from "vitest";
import { can, grantsOf, PERMISSIONS, ROLES, roleFromClaims } from "./rbac.js";

describe("RBAC", () => {
  it("gives the admin every permission and the viewer only ViewResources", () => {
    for (const p of PERMISSIONS) expect(can("DRSAdmin", p)).toBe(true);
    expect(grantsOf("DRSViewer")).toEqual(["drs:ViewResources"]);
  });

  it("lets operators run recoveries but not manage accounts or users", () => {
    expect(can("DRSOperator", "drs:ExecuteRecovery")).toBe(true);
    expect(can("DRSOperator", "drs:ManageAccounts")).toBe(false);
    expect(can("DRSOperator", "admin:ManageUsers")).toBe(false);
  });

  it("lets auditors read the audit log and nothing mutating", () => {
    expect(can("DRSAuditor", "audit:ReadAuditLog")).toBe(true);
    expect(grantsOf("DRSAuditor").filter((g) => g.startsWith("drs:"))).toEqual(["drs:ViewResources"]);
  });

  it("every role can view", () => {
    for (const r of ROLES) expect(can(r, "drs:ViewResources")).toBe(true);
  });

  it("reads the role from custom:role, else from cognito:groups (most privileged wins)", () => {
    expect(roleFromClaims({ "custom:role": "DRSOperator", "cognito:groups": ["DRSAdmins"] })).toBe(
      "DRSOperator",
    );
    expect(roleFromClaims({ "cognito:groups": ["DRSViewers", "DRSAdmins"] })).toBe("DRSAdmin");
    expect(roleFromClaims({ "custom:role": "root" })).toBeUndefined();
    expect(roleFromClaims({ "cognito:groups": "DRSAdmins" })).toBeUndefined();
  });
});
