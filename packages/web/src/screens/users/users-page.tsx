import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import Modal from "@cloudscape-design/components/modal";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Table from "@cloudscape-design/components/table";
import { etagOf, type Schemas, unwrap } from "@drso/client";
import { useState } from "react";
import { errorMessage } from "../../api/error-message.js";
import { useApi, useSession } from "../../app-context.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { formatTime } from "../../components/format.js";
import { useNotify } from "../../components/notifications.js";
import { useQuery } from "../../hooks/use-query.js";

type User = Schemas["User"];
type Role = User["role"];
const ROLES: Array<{ value: Role; label: string; description: string }> = [
  { value: "DRSAdmin", label: "DRSAdmin", description: "Everything, including users and the audit log" },
  { value: "DRSOperator", label: "DRSOperator", description: "Groups, plans, drills and recoveries" },
  { value: "DRSViewer", label: "DRSViewer", description: "Read-only" },
  { value: "DRSAuditor", label: "DRSAuditor", description: "Read-only plus the audit log" },
  { value: "DRSCrossAccount", label: "DRSCrossAccount", description: "Read-only plus accounts and settings" },
];

/** Local users (admin): create with a role, change role, disable, reset password. */
export default function UsersPage() {
  const api = useApi();
  const notify = useNotify();
  const { can, profile } = useSession();
  const users = useQuery(async () => (await unwrap(api.GET("/users"))).items, [api], {
    enabled: can("admin:ManageUsers"),
  });
  const [creating, setCreating] = useState(false);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("DRSViewer");
  const [password, setPassword] = useState("");
  const [created, setCreated] = useState<{ email: string; temporaryPassword?: string }>();
  const [error, setError] = useState<unknown>();

  if (!can("admin:ManageUsers")) return <Alert type="info">Only administrators manage users.</Alert>;

  const create = async () => {
    setError(undefined);
    try {
      const result = await unwrap(
        api.POST("/users", { body: { email: email.trim(), role, ...(password ? { password } : {}) } }),
      );
      setCreated({
        email: result.user.email,
        ...(result.temporaryPassword ? { temporaryPassword: result.temporaryPassword } : {}),
      });
      setCreating(false);
      setEmail("");
      setPassword("");
      await users.reload();
    } catch (e) {
      setError(e);
    }
  };
  const update = async (u: User, body: Schemas["UserUpdate"], message: string) => {
    try {
      await unwrap(
        api.PUT("/users/{id}", {
          params: { path: { id: u.userId } },
          headers: { "if-match": etagOf(u.version) },
          body,
        }),
      );
      notify({ type: "success", content: message });
      await users.reload();
    } catch (e) {
      notify({ type: "error", header: `Could not update ${u.email}`, content: errorMessage(e) });
    }
  };

  return (
    <SpaceBetween size="l">
      {created ? (
        <Alert
          type="success"
          dismissible
          onDismiss={() => setCreated(undefined)}
          header={`Created ${created.email}`}
        >
          {created.temporaryPassword
            ? `Temporary password (shown once): ${created.temporaryPassword}`
            : "The user signs in with the password you set."}
        </Alert>
      ) : null}
      <ErrorAlert error={users.error} />
      <Table
        data-testid="users"
        variant="full-page"
        items={users.data ?? []}
        loading={users.loading && !users.data}
        loadingText="Loading users"
        header={
          <Header
            variant="h1"
            description="People who can sign in to this installation, and their roles"
            actions={
              <Button variant="primary" onClick={() => setCreating(true)}>
                Create user
              </Button>
            }
          >
            Users
          </Header>
        }
        columnDefinitions={[
          { id: "email", header: "Email", cell: (u) => u.email, isRowHeader: true },
          {
            id: "role",
            header: "Role",
            cell: (u) => (
              <Select
                selectedOption={ROLES.find((r) => r.value === u.role) ?? null}
                options={ROLES}
                disabled={u.email === profile.email}
                ariaLabel={`Role of ${u.email}`}
                onChange={(e) =>
                  void update(
                    u,
                    { role: e.detail.selectedOption.value as Role },
                    `${u.email} is now ${e.detail.selectedOption.value}.`,
                  )
                }
              />
            ),
          },
          {
            id: "state",
            header: "State",
            cell: (u) =>
              u.disabled ? (
                <StatusIndicator type="stopped">Disabled</StatusIndicator>
              ) : u.locked ? (
                <StatusIndicator type="warning">Locked</StatusIndicator>
              ) : (
                <StatusIndicator>Active</StatusIndicator>
              ),
          },
          { id: "last", header: "Last sign-in", cell: (u) => formatTime(u.lastLoginAt) },
          {
            id: "actions",
            header: "Actions",
            cell: (u) =>
              u.email === profile.email ? (
                <Box color="text-body-secondary">You</Box>
              ) : (
                <Button
                  variant="inline-link"
                  onClick={() =>
                    void update(
                      u,
                      { disabled: !u.disabled },
                      `${u.email} ${u.disabled ? "enabled" : "disabled"}.`,
                    )
                  }
                >
                  {u.disabled ? "Enable" : "Disable"}
                </Button>
              ),
          },
        ]}
      />
      <Modal
        visible={creating}
        onDismiss={() => setCreating(false)}
        header="Create user"
        footer={
          <Box float="right">
            <SpaceBetween direction="horizontal" size="xs">
              <Button variant="link" onClick={() => setCreating(false)}>
                Cancel
              </Button>
              <Button variant="primary" onClick={() => void create()}>
                Create
              </Button>
            </SpaceBetween>
          </Box>
        }
      >
        <SpaceBetween size="m">
          <FormField label="Email">
            <Input value={email} type="email" onChange={(e) => setEmail(e.detail.value)} />
          </FormField>
          <FormField label="Role">
            <Select
              selectedOption={ROLES.find((r) => r.value === role) ?? null}
              options={ROLES}
              onChange={(e) => setRole(e.detail.selectedOption.value as Role)}
            />
          </FormField>
          <FormField
            label="Password"
            description="At least 8 characters with an upper-case letter; leave empty for a generated temporary password."
          >
            <Input value={password} type="password" onChange={(e) => setPassword(e.detail.value)} />
          </FormField>
          <ErrorAlert error={error} header="Could not create the user" />
        </SpaceBetween>
      </Modal>
    </SpaceBetween>
  );
}
