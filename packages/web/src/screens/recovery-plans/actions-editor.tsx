import AttributeEditor from "@cloudscape-design/components/attribute-editor";
import Input from "@cloudscape-design/components/input";
import Select from "@cloudscape-design/components/select";
import type { WaveAction } from "./plan-model.js";

const TYPES = [
  { value: "approval", label: "Approval", description: "Wait for a person to approve" },
  { value: "wait", label: "Wait", description: "Pause for a number of seconds" },
  { value: "http", label: "HTTP check", description: "Call a URL (health check, webhook)" },
  {
    value: "ssm-automation",
    label: "SSM automation",
    description: "Run an SSM automation document (AWS mode)",
  },
  { value: "ssm-command", label: "SSM command", description: "Run an SSM command document (AWS mode)" },
];

function blank(type: string): WaveAction {
  switch (type) {
    case "wait":
      return { type: "wait", seconds: 60 };
    case "http":
      return { type: "http", url: "https://" };
    case "ssm-automation":
      return { type: "ssm-automation", documentName: "" };
    case "ssm-command":
      return { type: "ssm-command", documentName: "" };
    default:
      return { type: "approval", message: "" };
  }
}

function parameterOf(a: WaveAction): { label: string; value: string } {
  switch (a.type) {
    case "wait":
      return { label: "Seconds", value: String(a.seconds) };
    case "http":
      return { label: "URL", value: a.url };
    case "approval":
      return { label: "Message", value: a.message ?? "" };
    default:
      return { label: "Document", value: a.documentName };
  }
}

function withParameter(a: WaveAction, value: string): WaveAction {
  switch (a.type) {
    case "wait":
      return { ...a, seconds: Math.max(1, Number.parseInt(value, 10) || 1) };
    case "http":
      return { ...a, url: value };
    case "approval":
      return { ...a, message: value };
    default:
      return { ...a, documentName: value };
  }
}

/** Pre- or post-actions of a wave: type, name and its main parameter. */
export function ActionsEditor({
  actions,
  onChange,
  readOnly,
  label,
  errors,
}: {
  actions: WaveAction[];
  onChange: (actions: WaveAction[]) => void;
  readOnly: boolean;
  label: string;
  errors?: string[] | undefined;
}) {
  return (
    <AttributeEditor
      items={actions}
      addButtonText={`Add ${label.toLowerCase()}`}
      removeButtonText="Remove"
      disableAddButton={readOnly || actions.length >= 20}
      onAddButtonClick={() => onChange([...actions, blank("approval")])}
      onRemoveButtonClick={(e) => onChange(actions.filter((_, i) => i !== e.detail.itemIndex))}
      empty={`No ${label.toLowerCase()}s`}
      definition={[
        {
          label: "Type",
          control: (a, i) => (
            <Select
              disabled={readOnly}
              selectedOption={TYPES.find((t) => t.value === a.type) ?? null}
              options={TYPES}
              ariaLabel={`${label} ${i + 1} type`}
              onChange={(e) =>
                onChange(
                  actions.map((x, j) =>
                    j === i
                      ? {
                          ...blank(e.detail.selectedOption.value ?? "approval"),
                          ...(x.name ? { name: x.name } : {}),
                        }
                      : x,
                  ),
                )
              }
            />
          ),
        },
        {
          label: "Name",
          control: (a, i) => (
            <Input
              disabled={readOnly}
              value={a.name ?? ""}
              ariaLabel={`${label} ${i + 1} name`}
              onChange={(e) =>
                onChange(
                  actions.map((x, j) => {
                    if (j !== i) return x;
                    const { name: _, ...rest } = x;
                    return (e.detail.value ? { ...rest, name: e.detail.value } : rest) as WaveAction;
                  }),
                )
              }
            />
          ),
        },
        {
          label: "Parameter",
          errorText: (_, i) => errors?.[i],
          control: (a, i) => {
            const p = parameterOf(a);
            return (
              <Input
                disabled={readOnly}
                value={p.value}
                placeholder={p.label}
                ariaLabel={`${label} ${i + 1} ${p.label.toLowerCase()}`}
                onChange={(e) =>
                  onChange(actions.map((x, j) => (j === i ? withParameter(x, e.detail.value) : x)))
                }
              />
            );
          },
        },
      ]}
    />
  );
}
