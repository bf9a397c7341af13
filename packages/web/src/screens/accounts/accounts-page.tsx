import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import Modal from "@cloudscape-design/components/modal";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Table from "@cloudscape-design/components/table";
import { ApiError, etagOf, type Schemas, unwrap } from "@drso/client";
import { useState } from "react";
import { errorMessage } from "../../api/error-message.js";
import { useApi, useSession } from "../../app-context.js";
import { EmptyState } from "../../components/empty-state.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { formatTime } from "../../components/format.js";
import { useNotify } from "../../components/notifications.js";
import { useTargets } from "../../hooks/use-inventory.js";
import { useQuery } from "../../hooks/use-query.js";

type Account = Schemas["Account"];
interface AccountForm {
  accountId: string;
  name: string;
  roleArn: string;
  externalId: string;
  regions: string;
}
const EMPTY: AccountForm = { accountId: "", name: "", roleArn: "", externalId: "", regions: "us-east-1" };

/** DRS status per account/region for everyone; configuring target accounts needs drs:ManageAccounts. */
export default function AccountsPage() {
  const api = useApi();
  const notify = useNotify();
  const { can } = useSession();
  const manage = can("drs:ManageAccounts");
  const targets = useTargets();
  const accounts = useQuery(async () => (await unwrap(api.GET("/accounts"))).items, [api], {
    enabled: manage,
  });
  const [editing, setEditing] = useState<{ form: AccountForm; existing?: Account }>();
  const [saveError, setSaveError] = useState<unknown>();
  const [busy, setBusy] = useState<string>();

  const save = async () => {
    if (!editing) return;
    const { form, existing } = editing;
    const regions = form.regions.split(/[\s,]+/).filter(Boolean);
    const common = {
      name: form.name.trim(),
      regions,
      ...(form.roleArn.trim() ? { roleArn: form.roleArn.trim() } : {}),
      ...(form.externalId.trim() ? { externalId: form.externalId.trim() } : {}),
    };
    setSaveError(undefined);
    try {
      if (existing)
        await unwrap(
          api.PUT("/accounts/{accountId}", {
            params: { path: { accountId: existing.accountId } },
            headers: { "if-match": etagOf(existing.version) },
            body: common,
          }),
        );
      else await unwrap(api.POST("/accounts", { body: { accountId: form.accountId.trim(), ...common } }));
      notify({ type: "success", content: `Account ${form.name} saved.` });
      setEditing(undefined);
      await Promise.all([accounts.reload(), targets.reload()]);
    } catch (e) {
      setSaveError(e);
    }
  };

  const validate = async (a: Account) => {
    setBusy(a.accountId);
    try {
      const result = await unwrap(
        api.POST("/accounts/{accountId}/validate", { params: { path: { accountId: a.accountId } } }),
      );
      notify({
        type: result.lastValidation?.status === "VALID" ? "success" : "warning",
        content: `${a.name}: ${result.lastValidation?.message ?? "validated"}`,
      });
      await accounts.reload();
    } catch (e) {
      notify({ type: "error", header: `Could not validate ${a.name}`, content: errorMessage(e) });
    } finally {
      setBusy(undefined);
    }
  };

  const remove = async (a: Account) => {
    setBusy(a.accountId);
    try {
      await unwrap(api.DELETE("/accounts/{accountId}", { params: { path: { accountId: a.accountId } } }));
      notify({ type: "success", content: `Removed ${a.name}.` });
      await Promise.all([accounts.reload(), targets.reload()]);
    } catch (e) {
      notify({ type: "error", header: `Could not remove ${a.name}`, content: errorMessage(e) });
    } finally {
      setBusy(undefined);
    }
  };

  const fieldError = (path: string) =>
    saveError instanceof ApiError ? saveError.fieldErrors.find((f) => f.path === path)?.message : undefined;

  return (
    <SpaceBetween size="l">
      <ErrorAlert error={targets.error ?? accounts.error} />
      {manage ? (
        <Table
          data-testid="accounts"
          variant="full-page"
          items={accounts.data ?? []}
          loading={accounts.loading && !accounts.data}
          loadingText="Loading accounts"
          header={
            <Header
              variant="h1"
              description="Target accounts the orchestrator reaches through a cross-account role"
              actions={
                <Button variant="primary" onClick={() => setEditing({ form: EMPTY })}>
                  Add account
                </Button>
              }
            >
              Accounts
            </Header>
          }
          empty={<EmptyState title="No accounts" subtitle="Add the accounts whose servers DRS replicates." />}
          columnDefinitions={[
            { id: "name", header: "Name", cell: (a) => a.name, isRowHeader: true },
            { id: "id", header: "Account ID", cell: (a) => a.accountId },
            { id: "regions", header: "Regions", cell: (a) => a.regions.join(", ") },
            { id: "role", header: "Role", cell: (a) => a.roleArn ?? "Default credentials" },
            {
              id: "validation",
              header: "Last validation",
              cell: (a) =>
                a.lastValidation ? (
                  <StatusIndicator type={a.lastValidation.status === "VALID" ? "success" : "error"}>
                    {`${a.lastValidation.message} (${formatTime(a.lastValidation.checkedAt)})`}
                  </StatusIndicator>
                ) : (
                  "Never"
                ),
            },
            {
              id: "actions",
              header: "Actions",
              cell: (a) => (
                <SpaceBetween direction="horizontal" size="xs">
                  <Button
                    variant="inline-link"
                    loading={busy === a.accountId}
                    onClick={() => void validate(a)}
                  >
                    Validate
                  </Button>
                  <Button
                    variant="inline-link"
                    onClick={() =>
                      setEditing({
                        existing: a,
                        form: {
                          accountId: a.accountId,
                          name: a.name,
                          roleArn: a.roleArn ?? "",
                          externalId: a.externalId ?? "",
                          regions: a.regions.join(", "),
                        },
                      })
                    }
                  >
                    Edit
                  </Button>
                  <Button variant="inline-link" onClick={() => void remove(a)}>
                    Remove
                  </Button>
                </SpaceBetween>
              ),
            },
          ]}
        />
      ) : (
        <Header variant="h1" description="DRS status in each account and region">
          Accounts
        </Header>
      )}
      <Table
        data-testid="drs-status"
        header={
          <Header variant="h2" description="Whether DRS is initialized and reachable">
            DRS status by region
          </Header>
        }
        items={targets.data ?? []}
        loading={targets.loading && !targets.data}
        loadingText="Checking DRS"
        empty={<EmptyState title="No targets" />}
        columnDefinitions={[
          {
            id: "account",
            header: "Account",
            cell: (t) => `${t.accountName} (${t.accountId})`,
            isRowHeader: true,
          },
          { id: "region", header: "Region", cell: (t) => t.region },
          {
            id: "status",
            header: "DRS",
            cell: (t) => (
              <StatusIndicator
                type={
                  t.status === "INITIALIZED" ? "success" : t.status === "UNINITIALIZED" ? "warning" : "error"
                }
              >
                {t.status === "INITIALIZED"
                  ? "Initialized"
                  : t.status === "UNINITIALIZED"
                    ? "Not initialized"
                    : (t.error ?? "Unreachable")}
              </StatusIndicator>
            ),
          },
        ]}
      />
      <Modal
        visible={editing !== undefined}
        onDismiss={() => setEditing(undefined)}
        header={editing?.existing ? `Edit ${editing.existing.name}` : "Add account"}
        footer={
          <Box float="right">
            <SpaceBetween direction="horizontal" size="xs">
              <Button variant="link" onClick={() => setEditing(undefined)}>
                Cancel
              </Button>
              <Button variant="primary" onClick={() => void save()}>
                Save
              </Button>
            </SpaceBetween>
          </Box>
        }
      >
        {editing ? (
          <SpaceBetween size="m">
            <FormField label="Account ID" errorText={fieldError("accountId")}>
              <Input
                value={editing.form.accountId}
                disabled={Boolean(editing.existing)}
                onChange={(e) =>
                  setEditing({ ...editing, form: { ...editing.form, accountId: e.detail.value } })
                }
              />
            </FormField>
            <FormField label="Name" errorText={fieldError("name")}>
              <Input
                value={editing.form.name}
                onChange={(e) => setEditing({ ...editing, form: { ...editing.form, name: e.detail.value } })}
              />
            </FormField>
            <FormField
              label="Cross-account role ARN"
              description="Leave empty to use the orchestrator's own credentials."
              errorText={fieldError("roleArn")}
            >
              <Input
                value={editing.form.roleArn}
                placeholder="arn:aws:iam::111122223333:role/DRSOrchestrationRole"
                onChange={(e) =>
                  setEditing({ ...editing, form: { ...editing.form, roleArn: e.detail.value } })
                }
              />
            </FormField>
            <FormField label="External ID" errorText={fieldError("externalId")}>
              <Input
                value={editing.form.externalId}
                onChange={(e) =>
                  setEditing({ ...editing, form: { ...editing.form, externalId: e.detail.value } })
                }
              />
            </FormField>
            <FormField label="Regions" description="Comma-separated" errorText={fieldError("regions")}>
              <Input
                value={editing.form.regions}
                onChange={(e) =>
                  setEditing({ ...editing, form: { ...editing.form, regions: e.detail.value } })
                }
              />
            </FormField>
            <ErrorAlert error={saveError} header="Could not save" />
          </SpaceBetween>
        ) : null}
      </Modal>
    </SpaceBetween>
  );
}
