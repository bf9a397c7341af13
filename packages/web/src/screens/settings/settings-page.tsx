import Button from "@cloudscape-design/components/button";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import Form from "@cloudscape-design/components/form";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Table from "@cloudscape-design/components/table";
import { ApiError, etagOf, type Schemas, unwrap } from "@drso/client";
import { useEffect, useState } from "react";
import { useApi, useSession } from "../../app-context.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { useNotify } from "../../components/notifications.js";
import { Loading } from "../../components/shell.js";
import { useQuery } from "../../hooks/use-query.js";

type Settings = Schemas["SettingsView"];
const FIELDS = [
  {
    key: "pollIntervalSeconds",
    label: "DRS poll interval (seconds)",
    description: "How often the engine polls running DRS jobs.",
  },
  { key: "fastPollSeconds", label: "Fast poll (seconds)", description: "Polling right after a launch." },
  {
    key: "drillTtlHours",
    label: "Drill instance lifetime (hours)",
    description: "Drill instances are terminated automatically after this; 0 keeps them.",
  },
  {
    key: "defaultWaveTimeoutSeconds",
    label: "Default wave timeout (seconds)",
    description: "For waves that set none.",
  },
  {
    key: "readinessIntervalMinutes",
    label: "Readiness check interval (minutes)",
    description: "Every plan's readiness is evaluated this often, and after every change.",
  },
  {
    key: "readinessMaxDrillAgeDays",
    label: "Drill age warning (days)",
    description: "Readiness warns when a plan's last successful drill is older.",
  },
] as const;
const QUOTAS = [
  { key: "serversPerJob", label: "Servers per DRS job" },
  { key: "concurrentJobs", label: "Concurrent jobs" },
  { key: "serversInAllJobs", label: "Servers in all jobs" },
] as const;

/** System settings (read by everyone, changed with drs:ManageAccounts) and system health. */
export default function SettingsPage() {
  const api = useApi();
  const notify = useNotify();
  const { can } = useSession();
  const readOnly = !can("drs:ManageAccounts");
  const settings = useQuery(() => unwrap(api.GET("/config/settings")), [api]);
  const health = useQuery(() => unwrap(api.GET("/config/health")), [api]);
  const [form, setForm] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    const s = settings.data;
    if (!s) return;
    setForm({
      ...Object.fromEntries(FIELDS.map((f) => [f.key, String(s[f.key])])),
      ...Object.fromEntries(QUOTAS.map((q) => [q.key, String(s.quotas[q.key])])),
    });
  }, [settings.data]);

  if (!settings.data) return settings.error ? <ErrorAlert error={settings.error} /> : <Loading />;
  const s: Settings = settings.data;
  const num = (k: string) => Number.parseInt(form[k] ?? "", 10);
  const fieldError = (k: string) =>
    error instanceof ApiError ? error.fieldErrors.find((f) => f.path.endsWith(k))?.message : undefined;

  const save = async () => {
    setSaving(true);
    setError(undefined);
    try {
      await unwrap(
        api.PUT("/config/settings", {
          headers: { "if-match": etagOf(s.version) },
          body: {
            pollIntervalSeconds: num("pollIntervalSeconds"),
            fastPollSeconds: num("fastPollSeconds"),
            drillTtlHours: num("drillTtlHours"),
            defaultWaveTimeoutSeconds: num("defaultWaveTimeoutSeconds"),
            readinessIntervalMinutes: num("readinessIntervalMinutes"),
            readinessMaxDrillAgeDays: num("readinessMaxDrillAgeDays"),
            quotas: {
              serversPerJob: num("serversPerJob"),
              concurrentJobs: num("concurrentJobs"),
              serversInAllJobs: num("serversInAllJobs"),
            },
          },
        }),
      );
      notify({ type: "success", content: "Settings saved." });
      await settings.reload();
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
    }
  };

  return (
    <SpaceBetween size="l">
      <Header variant="h1" description="Engine timing, DRS quotas and drill clean-up">
        Settings
      </Header>
      <Form
        actions={
          readOnly ? undefined : (
            <Button variant="primary" loading={saving} onClick={() => void save()}>
              Save settings
            </Button>
          )
        }
      >
        <SpaceBetween size="l">
          <Container header={<Header variant="h2">Engine</Header>}>
            <ColumnLayout columns={2}>
              {FIELDS.map((f) => (
                <FormField
                  key={f.key}
                  label={f.label}
                  description={f.description}
                  errorText={fieldError(f.key)}
                >
                  <Input
                    type="number"
                    disabled={readOnly}
                    value={form[f.key] ?? ""}
                    onChange={(e) => setForm({ ...form, [f.key]: e.detail.value })}
                  />
                </FormField>
              ))}
            </ColumnLayout>
          </Container>
          <Container
            header={
              <Header variant="h2" description="The limits the engine plans DRS jobs within">
                DRS quotas
              </Header>
            }
          >
            <ColumnLayout columns={3}>
              {QUOTAS.map((q) => (
                <FormField key={q.key} label={q.label} errorText={fieldError(q.key)}>
                  <Input
                    type="number"
                    disabled={readOnly}
                    value={form[q.key] ?? ""}
                    onChange={(e) => setForm({ ...form, [q.key]: e.detail.value })}
                  />
                </FormField>
              ))}
            </ColumnLayout>
          </Container>
          <ErrorAlert error={error} header="Could not save the settings" />
        </SpaceBetween>
      </Form>
      <Table
        header={
          <Header
            variant="h2"
            description={
              health.data
                ? `Version ${health.data.version} · DRS ${health.data.mode.drs} · store ${health.data.mode.store} · identity ${health.data.mode.identity}`
                : undefined
            }
          >
            System health
          </Header>
        }
        items={health.data?.checks ?? []}
        loading={health.loading && !health.data}
        loadingText="Checking"
        columnDefinitions={[
          { id: "name", header: "Check", cell: (c) => c.name, isRowHeader: true },
          {
            id: "ok",
            header: "Status",
            cell: (c) => (
              <StatusIndicator type={c.ok ? "success" : "error"}>{c.ok ? "OK" : "Failing"}</StatusIndicator>
            ),
          },
          { id: "detail", header: "Detail", cell: (c) => c.detail ?? "" },
        ]}
      />
    </SpaceBetween>
  );
}
