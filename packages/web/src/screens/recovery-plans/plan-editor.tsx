import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import ExpandableSection from "@cloudscape-design/components/expandable-section";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import Multiselect from "@cloudscape-design/components/multiselect";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import Textarea from "@cloudscape-design/components/textarea";
import Toggle from "@cloudscape-design/components/toggle";
import { useState } from "react";
import { formatDuration } from "../../components/format.js";
import { WaveGraph } from "../../components/wave-graph.js";
import { ActionsEditor } from "./actions-editor.js";
import {
  type GroupRef,
  liveProblems,
  newlyImmediate,
  newlyOrdered,
  newWave,
  type PlanDraft,
  type PlanProblems,
  problemsByWave,
  stillImmediate,
  stillOrdered,
  type WaveDraft,
} from "./plan-model.js";

const ON_FAILURE_OPTIONS = [
  { value: "abort", label: "Abort the plan" },
  { value: "continue", label: "Continue" },
  { value: "pause", label: "Pause for a decision (retry, skip or abort)" },
];

const err = (problems: PlanProblems, path: string) => {
  const list = problems.get(path);
  return list && list.length > 0 ? list.join(" ") : undefined;
};

export interface PlanEditorProps {
  draft: PlanDraft;
  onChange: (draft: PlanDraft) => void;
  groups: readonly GroupRef[];
  /** Client and server problems, by field path. */
  problems: PlanProblems;
  /**
   * All problems are shown once the user tried to save or validate; before that only the plan's structure
   * (cycles, unknown dependencies, empty waves) is, as it is edited (fields are not red while being typed).
   */
  showProblems: boolean;
  readOnly: boolean;
  warnings?: Array<{ path: string; message: string }>;
  /** What a failback adds to each wave's timeout for replication back (from the settings), when known. */
  failbackAllowanceSeconds?: number;
}

/**
 * The plan editor: targets, waves (add, reorder, dependencies, pause-before, actions, timeout, on-failure) and
 * the wave graph. Problems are shown at the field they concern and on the graph node.
 */
export function PlanEditor({
  draft,
  onChange,
  groups,
  problems,
  showProblems,
  readOnly,
  warnings = [],
  failbackAllowanceSeconds,
}: PlanEditorProps) {
  const shown: PlanProblems = showProblems ? problems : liveProblems(problems);
  // Waves that an edit turned from "after the previous wave" into "starts immediately".
  const [immediate, setImmediate] = useState<string[]>([]);
  // …and the reverse: waves that wait for the previous wave again once no wave has dependencies.
  const [ordered, setOrdered] = useState<string[]>([]);
  /** Remembers the waves whose start an edit changed (list order ↔ graph), for the notice. */
  const noteOrderChange = (next: PlanDraft, editedWaveId?: string) => {
    const changed = newlyImmediate(draft, next, editedWaveId);
    if (changed.length > 0) {
      setImmediate(changed);
      setOrdered([]);
    }
    const waiting = newlyOrdered(draft, next, editedWaveId);
    if (waiting.length > 0) {
      setOrdered(waiting);
      setImmediate([]);
    }
  };
  const setWave = (i: number, patch: Partial<WaveDraft>) => {
    const old = draft.waves[i]!;
    const waves = draft.waves.map((w, j) => (j === i ? { ...w, ...patch } : w));
    // Renaming a wave ID keeps the dependencies that pointed at it.
    const renamed =
      patch.waveId !== undefined && patch.waveId !== old.waveId ? [old.waveId, patch.waveId] : undefined;
    const next = {
      ...draft,
      waves: renamed
        ? waves.map((w) => ({
            ...w,
            dependsOn: w.dependsOn.map((d) => (d === renamed[0] ? renamed[1]! : d)),
          }))
        : waves,
    };
    if (patch.dependsOn) noteOrderChange(next, next.waves[i]!.waveId);
    onChange(next);
  };
  const immediateNow = stillImmediate(draft, immediate);
  const orderedNow = stillOrdered(draft, ordered);
  const waveNames = (waves: WaveDraft[]) =>
    waves.map((w) => `Wave ${w.waveId}${w.name && w.name !== w.waveId ? ` (${w.name})` : ""}`).join(", ");
  const move = (i: number, delta: number) => {
    const j = i + delta;
    if (j < 0 || j >= draft.waves.length) return;
    const waves = [...draft.waves];
    [waves[i], waves[j]] = [waves[j]!, waves[i]!];
    onChange({ ...draft, waves });
  };
  const remove = (i: number) => {
    const gone = draft.waves[i]!.waveId;
    const next = {
      ...draft,
      waves: draft.waves
        .filter((_, j) => j !== i)
        .map((w) => ({ ...w, dependsOn: w.dependsOn.filter((d) => d !== gone) })),
    };
    noteOrderChange(next);
    onChange(next);
  };
  const groupOptions = groups.map((g) => ({
    value: g.groupId,
    label: g.name,
    description: `${g.accountId} / ${g.region}${g.serverCount !== undefined ? ` · ${g.serverCount} server${g.serverCount === 1 ? "" : "s"}` : ""}`,
  }));
  const graphProblems = problemsByWave(draft, shown);
  const sequential = draft.waves.every((w) => w.dependsOn.length === 0);

  return (
    <SpaceBetween size="l">
      <Container header={<Header variant="h2">Plan</Header>}>
        <SpaceBetween size="l">
          <ColumnLayout columns={2}>
            <FormField label="Name" errorText={err(shown, "name")} data-testid="plan-name-field">
              <Input
                value={draft.name}
                disabled={readOnly}
                onChange={(e) => onChange({ ...draft, name: e.detail.value })}
                data-testid="plan-name"
              />
            </FormField>
            <FormField label="Description">
              <Textarea
                rows={1}
                value={draft.description}
                disabled={readOnly}
                onChange={(e) => onChange({ ...draft, description: e.detail.value })}
              />
            </FormField>
            <FormField
              label="Recovery time objective (RTO)"
              description="Seconds from start until the last wave completes."
              errorText={err(shown, "rtoSeconds")}
              data-testid="plan-rto-field"
            >
              <Input
                type="number"
                inputMode="numeric"
                value={draft.rtoSeconds}
                disabled={readOnly}
                onChange={(e) => onChange({ ...draft, rtoSeconds: e.detail.value })}
                data-testid="plan-rto"
              />
            </FormField>
            <FormField
              label="Recovery point objective (RPO)"
              description="Seconds of data loss tolerated (optional)."
              errorText={err(shown, "rpoSeconds")}
            >
              <Input
                type="number"
                inputMode="numeric"
                value={draft.rpoSeconds}
                disabled={readOnly}
                onChange={(e) => onChange({ ...draft, rpoSeconds: e.detail.value })}
              />
            </FormField>
          </ColumnLayout>
        </SpaceBetween>
      </Container>

      <Container
        header={
          <Header
            variant="h2"
            description={
              sequential
                ? "No wave has dependencies: waves run one after another in list order."
                : "Waves run as soon as the waves they depend on have completed; waves without dependencies start first."
            }
          >
            Wave graph
          </Header>
        }
        data-testid="wave-graph-container"
      >
        <SpaceBetween size="s">
          <WaveGraph
            waves={draft.waves.map((w) => ({
              waveId: w.waveId,
              name: w.name || w.waveId,
              dependsOn: w.dependsOn,
              detail: `${w.waveId} · ${w.protectionGroupIds.length} group${w.protectionGroupIds.length === 1 ? "" : "s"}${w.pauseBefore ? " · pause" : ""}`,
            }))}
            problems={graphProblems}
            onSelect={(waveId) => {
              const i = draft.waves.findIndex((w) => w.waveId === waveId);
              document.getElementById(`wave-${i}`)?.scrollIntoView({ behavior: "smooth", block: "start" });
            }}
          />
          <ExpandableSection headerText="Graph as a table">
            <Table
              variant="embedded"
              items={draft.waves}
              columnDefinitions={[
                { id: "wave", header: "Wave", cell: (w) => `${w.name} (${w.waveId})`, isRowHeader: true },
                {
                  id: "after",
                  header: "Starts after",
                  cell: (w) => {
                    const i = draft.waves.indexOf(w);
                    return sequential
                      ? i === 0
                        ? "—"
                        : draft.waves[i - 1]!.waveId
                      : w.dependsOn.join(", ") || "—";
                  },
                },
                {
                  id: "groups",
                  header: "Protection groups",
                  cell: (w) =>
                    w.protectionGroupIds
                      .map((id) => groups.find((g) => g.groupId === id)?.name ?? id)
                      .join(", "),
                },
                {
                  id: "problems",
                  header: "Problems",
                  cell: (w) => graphProblems.get(w.waveId)?.join(" ") ?? "—",
                },
              ]}
            />
          </ExpandableSection>
        </SpaceBetween>
      </Container>

      {warnings.length > 0 ? (
        <Alert type="warning" header="Warnings">
          {warnings.map((w) => `${w.path}: ${w.message}`).join(" ")}
        </Alert>
      ) : null}
      {err(shown, "waves") ? <Alert type="error">{err(shown, "waves")}</Alert> : null}
      {orderedNow.length > 0 ? (
        <Alert
          type="info"
          header="The plan runs in list order again"
          dismissible
          onDismiss={() => setOrdered([])}
          data-testid="dependency-mode-notice"
        >
          {`No wave has dependencies any more, so the waves run one after another in list order. ${waveNames(orderedNow)} ${orderedNow.length === 1 ? "no longer starts immediately: it now waits for the previous wave" : "no longer start immediately: each now waits for the previous wave"}.`}
        </Alert>
      ) : null}
      {immediateNow.length > 0 ? (
        <Alert
          type="info"
          header="Dependencies changed the order of other waves"
          dismissible
          onDismiss={() => setImmediate([])}
          data-testid="dependency-mode-notice"
        >
          {`Once one wave has dependencies, the plan no longer runs in list order: every wave without its own dependencies starts with the execution. ${immediateNow
            .map((w) => `Wave ${w.waveId}${w.name && w.name !== w.waveId ? ` (${w.name})` : ""}`)
            .join(
              ", ",
            )} ${immediateNow.length === 1 ? "no longer waits for the previous wave and starts" : "no longer wait for the previous wave and start"} immediately. Give ${immediateNow.length === 1 ? "it" : "them"} dependencies to keep the order.`}
        </Alert>
      ) : null}

      {draft.waves.map((w, i) => {
        const others = draft.waves.filter((_, j) => j !== i);
        const depOptions = [
          ...others.map((o) => ({ value: o.waveId, label: o.name || o.waveId, description: o.waveId })),
          ...w.dependsOn
            .filter((d) => !others.some((o) => o.waveId === d))
            .map((d) => ({ value: d, label: d, description: "unknown wave" })),
        ];
        const waveProblems = graphProblems.get(w.waveId)?.length ?? 0;
        return (
          <div id={`wave-${i}`} key={w.key} data-testid={`wave-${i}`}>
            <Container
              header={
                <Header
                  variant="h2"
                  description={
                    waveProblems
                      ? `${waveProblems} problem${waveProblems === 1 ? "" : "s"} in this wave`
                      : undefined
                  }
                  actions={
                    readOnly ? undefined : (
                      <SpaceBetween direction="horizontal" size="xs">
                        <Button
                          iconName="arrow-up"
                          variant="icon"
                          ariaLabel={`Move ${w.name} up`}
                          disabled={i === 0}
                          onClick={() => move(i, -1)}
                        />
                        <Button
                          iconName="arrow-down"
                          variant="icon"
                          ariaLabel={`Move ${w.name} down`}
                          disabled={i === draft.waves.length - 1}
                          onClick={() => move(i, 1)}
                        />
                        <Button
                          iconName="remove"
                          variant="icon"
                          ariaLabel={`Remove ${w.name}`}
                          disabled={draft.waves.length === 1}
                          onClick={() => remove(i)}
                        />
                      </SpaceBetween>
                    )
                  }
                >
                  {`Wave ${i + 1}: ${w.name || w.waveId}`}
                </Header>
              }
            >
              <SpaceBetween size="l">
                <ColumnLayout columns={3}>
                  <FormField
                    label="Name"
                    errorText={err(shown, `waves.${i}.name`)}
                    data-testid={`wave-${i}-name-field`}
                  >
                    <Input
                      value={w.name}
                      disabled={readOnly}
                      onChange={(e) => setWave(i, { name: e.detail.value })}
                      data-testid={`wave-${i}-name`}
                    />
                  </FormField>
                  <FormField
                    label="Wave ID"
                    errorText={err(shown, `waves.${i}.waveId`)}
                    data-testid={`wave-${i}-id-field`}
                  >
                    <Input
                      value={w.waveId}
                      disabled={readOnly}
                      onChange={(e) => setWave(i, { waveId: e.detail.value })}
                    />
                  </FormField>
                  <FormField
                    label="Timeout (seconds)"
                    constraintText={`Bounds the launch once it starts; approvals and other actions have their own timeouts.${failbackAllowanceSeconds ? ` A failback adds ${formatDuration(failbackAllowanceSeconds)} for replication back.` : ""}`}
                    errorText={err(shown, `waves.${i}.timeoutSeconds`)}
                    data-testid={`wave-${i}-timeout-field`}
                  >
                    <Input
                      type="number"
                      value={w.timeoutSeconds}
                      disabled={readOnly}
                      onChange={(e) => setWave(i, { timeoutSeconds: e.detail.value })}
                    />
                  </FormField>
                </ColumnLayout>
                <FormField
                  label="Protection groups"
                  errorText={err(shown, `waves.${i}.protectionGroupIds`)}
                  data-testid={`wave-${i}-groups-field`}
                  stretch
                >
                  <Multiselect
                    disabled={readOnly}
                    selectedOptions={w.protectionGroupIds.map(
                      (id) =>
                        groupOptions.find((o) => o.value === id) ?? {
                          value: id,
                          label: id,
                          description: "unknown protection group",
                        },
                    )}
                    options={groupOptions}
                    placeholder="Choose protection groups"
                    filteringType="auto"
                    empty="No protection groups: create one first."
                    onChange={(e) =>
                      setWave(i, { protectionGroupIds: e.detail.selectedOptions.map((o) => o.value!) })
                    }
                    data-testid={`wave-${i}-groups`}
                  />
                </FormField>
                <ColumnLayout columns={3}>
                  <FormField
                    label="Depends on"
                    description="Starts when these waves have completed."
                    errorText={err(shown, `waves.${i}.dependsOn`)}
                    data-testid={`wave-${i}-depends-field`}
                  >
                    <Multiselect
                      disabled={readOnly}
                      selectedOptions={w.dependsOn.map(
                        (d) => depOptions.find((o) => o.value === d) ?? { value: d, label: d },
                      )}
                      options={depOptions}
                      placeholder={sequential ? "After the previous wave" : "Starts immediately"}
                      onChange={(e) =>
                        setWave(i, { dependsOn: e.detail.selectedOptions.map((o) => o.value!) })
                      }
                      data-testid={`wave-${i}-depends`}
                    />
                  </FormField>
                  <FormField
                    label="On failure"
                    description="What the plan does when a critical server of this wave fails."
                  >
                    <Select
                      disabled={readOnly}
                      selectedOption={ON_FAILURE_OPTIONS.find((o) => o.value === w.onFailure) ?? null}
                      options={ON_FAILURE_OPTIONS}
                      onChange={(e) =>
                        setWave(i, {
                          onFailure: e.detail.selectedOption.value as "abort" | "continue" | "pause",
                        })
                      }
                    />
                  </FormField>
                  <FormField
                    label="Pause before"
                    description="Wait for a person to resume before this wave starts."
                  >
                    <Toggle
                      disabled={readOnly}
                      checked={w.pauseBefore}
                      onChange={(e) => setWave(i, { pauseBefore: e.detail.checked })}
                    >
                      {w.pauseBefore ? "Pauses" : "Does not pause"}
                    </Toggle>
                  </FormField>
                </ColumnLayout>
                <ExpandableSection
                  headerText={`Actions (${w.preActions.length} before, ${w.postActions.length} after)`}
                  defaultExpanded={w.preActions.length + w.postActions.length > 0}
                >
                  <SpaceBetween size="m">
                    <FormField
                      label="Before the wave launches"
                      errorText={err(shown, `waves.${i}.preActions`)}
                    >
                      <ActionsEditor
                        label="Pre-action"
                        actions={w.preActions}
                        readOnly={readOnly}
                        onChange={(preActions) => setWave(i, { preActions })}
                      />
                    </FormField>
                    <FormField
                      label="After the wave's servers are launched"
                      errorText={err(shown, `waves.${i}.postActions`)}
                    >
                      <ActionsEditor
                        label="Post-action"
                        actions={w.postActions}
                        readOnly={readOnly}
                        onChange={(postActions) => setWave(i, { postActions })}
                      />
                    </FormField>
                  </SpaceBetween>
                </ExpandableSection>
              </SpaceBetween>
            </Container>
          </div>
        );
      })}
      {readOnly ? null : (
        <Box>
          <Button
            iconName="add-plus"
            onClick={() =>
              onChange({ ...draft, waves: [...draft.waves, newWave(draft.waves.length, draft.waves)] })
            }
            data-testid="add-wave"
          >
            Add wave
          </Button>
        </Box>
      )}
    </SpaceBetween>
  );
}
