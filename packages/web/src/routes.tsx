import { lazy } from "react";
import { Route, Routes } from "react-router-dom";
import { Shell } from "./components/shell.js";

// Route-level code splitting: each screen is its own chunk, loaded on first visit.
const loadDashboard = () => import("./screens/dashboard/dashboard-page.js");
const loadSourceServers = () => import("./screens/source-servers/source-servers-page.js");
const loadProtectionGroups = () => import("./screens/protection-groups/protection-groups-page.js");
const loadProtectionGroupEditor = () => import("./screens/protection-groups/protection-group-editor.js");
const loadProtectionGroupDetails = () => import("./screens/protection-groups/protection-group-details.js");
const loadRecoveryPlans = () => import("./screens/recovery-plans/recovery-plans-page.js");
const loadPlanEditorPage = () => import("./screens/recovery-plans/plan-editor-page.js");
const loadExecutionPage = () => import("./screens/execution/execution-page.js");
const loadReportPage = () => import("./screens/execution/report-page.js");
const loadHistory = () => import("./screens/history/history-page.js");
const loadAccounts = () => import("./screens/accounts/accounts-page.js");
const loadSettings = () => import("./screens/settings/settings-page.js");
const loadUsers = () => import("./screens/users/users-page.js");
const loadAudit = () => import("./screens/audit/audit-page.js");
const loadNotFound = () => import("./screens/not-found.js");

const Dashboard = lazy(loadDashboard);
const SourceServers = lazy(loadSourceServers);
const ProtectionGroups = lazy(loadProtectionGroups);
const ProtectionGroupEditor = lazy(loadProtectionGroupEditor);
const ProtectionGroupDetails = lazy(loadProtectionGroupDetails);
const RecoveryPlans = lazy(loadRecoveryPlans);
const PlanEditorPage = lazy(loadPlanEditorPage);
const ExecutionPage = lazy(loadExecutionPage);
const ReportPage = lazy(loadReportPage);
const History = lazy(loadHistory);
const Accounts = lazy(loadAccounts);
const Settings = lazy(loadSettings);
const Users = lazy(loadUsers);
const Audit = lazy(loadAudit);
const NotFound = lazy(loadNotFound);

const PREFETCH: Record<string, () => Promise<unknown>> = {
  "": loadDashboard,
  "source-servers": loadSourceServers,
  "protection-groups": loadProtectionGroups,
  "recovery-plans": loadRecoveryPlans,
  executions: loadHistory,
  accounts: loadAccounts,
  settings: loadSettings,
  users: loadUsers,
  audit: loadAudit,
};

/** Starts loading the chunk of the screen at `pathname` while the session boots (saves a round trip). */
export function prefetchRoute(pathname: string): void {
  const [first = "", second] = pathname.split("/").filter(Boolean);
  const loader =
    first === "executions" && second
      ? loadExecutionPage
      : first === "recovery-plans" && second
        ? loadPlanEditorPage
        : first === "protection-groups" && second && second !== "new"
          ? loadProtectionGroupDetails
          : PREFETCH[first];
  void loader?.().catch(() => undefined);
}

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/executions/:id/report" element={<ReportPage />} />
      <Route element={<Shell />}>
        <Route index element={<Dashboard />} />
        <Route path="source-servers" element={<SourceServers />} />
        <Route path="protection-groups" element={<ProtectionGroups />} />
        <Route path="protection-groups/new" element={<ProtectionGroupEditor />} />
        <Route path="protection-groups/:id" element={<ProtectionGroupDetails />} />
        <Route path="protection-groups/:id/edit" element={<ProtectionGroupEditor />} />
        <Route path="recovery-plans" element={<RecoveryPlans />} />
        <Route path="recovery-plans/new" element={<PlanEditorPage />} />
        <Route path="recovery-plans/:id" element={<PlanEditorPage />} />
        <Route path="executions" element={<History />} />
        <Route path="executions/:id" element={<ExecutionPage />} />
        <Route path="accounts" element={<Accounts />} />
        <Route path="settings" element={<Settings />} />
        <Route path="users" element={<Users />} />
        <Route path="audit" element={<Audit />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
