import Header from "@cloudscape-design/components/header";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import TextFilter from "@cloudscape-design/components/text-filter";
import { useMemo, useState } from "react";
import { EmptyState } from "../../components/empty-state.js";
import type { ExecutionDetail, ExecutionEvent } from "../../hooks/use-execution-live.js";

/** The execution's event timeline, newest first, filtered by type, wave and text. */
export function EventLog({ events, waves }: { events: ExecutionEvent[]; waves: ExecutionDetail["waves"] }) {
  const [type, setType] = useState("");
  const [wave, setWave] = useState("");
  const [text, setText] = useState("");
  const types = useMemo(() => [...new Set(events.map((e) => e.type))].sort(), [events]);
  const shown = events
    .filter(
      (e) =>
        (!type || e.type === type) &&
        (!wave || e.waveId === wave) &&
        (!text || e.message.toLowerCase().includes(text.toLowerCase())),
    )
    .slice()
    .reverse();
  return (
    <Table
      data-testid="event-log"
      items={shown}
      trackBy="seq"
      header={
        <Header variant="h2" counter={`(${shown.length})`}>
          Events
        </Header>
      }
      filter={
        <SpaceBetween direction="horizontal" size="xs">
          <TextFilter
            filteringText={text}
            onChange={(e) => setText(e.detail.filteringText)}
            filteringPlaceholder="Find in messages"
          />
          <Select
            selectedOption={{ value: type, label: type || "All types" }}
            options={[{ value: "", label: "All types" }, ...types.map((t) => ({ value: t, label: t }))]}
            onChange={(e) => setType(e.detail.selectedOption.value ?? "")}
            ariaLabel="Event type"
          />
          <Select
            selectedOption={{ value: wave, label: waves.find((w) => w.waveId === wave)?.name ?? "All waves" }}
            options={[
              { value: "", label: "All waves" },
              ...waves.map((w) => ({ value: w.waveId, label: w.name })),
            ]}
            onChange={(e) => setWave(e.detail.selectedOption.value ?? "")}
            ariaLabel="Wave"
          />
        </SpaceBetween>
      }
      empty={<EmptyState title="No events" />}
      columnDefinitions={[
        { id: "at", header: "Time", cell: (e) => new Date(e.at).toLocaleTimeString() },
        { id: "type", header: "Type", cell: (e) => e.type },
        {
          id: "wave",
          header: "Wave",
          cell: (e) => waves.find((w) => w.waveId === e.waveId)?.name ?? e.waveId ?? "",
        },
        { id: "message", header: "Message", cell: (e) => e.message },
      ]}
    />
  );
}
