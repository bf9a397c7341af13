import createWrapper from "@cloudscape-design/components/test-utils/dom";
import { act, render } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { ExecutionDetail } from "../../hooks/use-execution-live.js";
import { TerminateDialog } from "./terminate-dialog.js";

const server = (id: string, host: string) => ({
  sourceServerId: id,
  hostname: host,
  accountId: "111122223333",
  region: "us-east-1",
  groupId: "g1",
  launchStatus: "LAUNCHED" as const,
  recoveryInstanceId: `i-rec-${host}`,
  ec2InstanceId: `i-ec2-${host}`,
  ec2State: "running",
});

function detail(patch: Partial<ExecutionDetail> = {}): ExecutionDetail {
  return {
    executionId: "e1",
    planId: "p1",
    planName: "Billing",
    executionType: "DRILL",
    status: "COMPLETED",
    initiatedBy: "operator@example.com",
    startTime: "2026-03-01T10:00:00.000Z",
    endTime: "2026-03-01T10:10:00.000Z",
    durationSeconds: 600,
    rto: {},
    counts: {
      waves: 1,
      wavesCompleted: 1,
      wavesFailed: 0,
      servers: 2,
      launched: 2,
      failed: 0,
      inProgress: 0,
    },
    version: 9,
    waves: [
      {
        waveId: "db",
        name: "Databases",
        status: "COMPLETED",
        onFailure: "abort",
        dependsOn: [],
        pauseBefore: false,
        servers: [server("s-1", "db-01"), server("s-2", "db-02")],
        jobs: [],
        actions: [],
      },
    ],
    ...patch,
  } as ExecutionDetail;
}

describe("terminate dialog", () => {
  it("lists the instances, offers Cancel and Terminate 2 instances, then shows completion", async () => {
    const onConfirm = vi.fn(async () => true);
    const onDismiss = vi.fn();
    const d = detail();
    const { container, rerender } = render(
      <TerminateDialog detail={d} visible onDismiss={onDismiss} onConfirm={onConfirm} />,
    );
    const w = createWrapper(container.ownerDocument.body);
    const text = () => w.findModal()!.getElement().textContent ?? "";
    expect(text()).toContain("i-rec-db-01");
    expect(text()).toContain("i-ec2-db-02");
    expect(w.findButton('[data-testid="cancel-terminate"]')!.getElement().textContent).toBe("Cancel");
    const confirm = w.findButton('[data-testid="confirm-terminate"]')!;
    expect(confirm.getElement().textContent).toBe("Terminate 2 instances");
    await act(async () => confirm.click());
    expect(onConfirm).toHaveBeenCalledWith(undefined);
    rerender(
      <TerminateDialog
        detail={detail({
          termination: {
            status: "RUNNING",
            total: 2,
            terminated: 1,
            instances: [
              { recoveryInstanceId: "i-rec-db-01", sourceServerId: "s-1", status: "TERMINATED" },
              { recoveryInstanceId: "i-rec-db-02", sourceServerId: "s-2", status: "TERMINATING" },
            ],
          },
        })}
        visible
        onDismiss={onDismiss}
        onConfirm={onConfirm}
      />,
    );
    expect(text()).toContain("1 of 2 terminated");
    expect(container.ownerDocument.querySelector('[data-testid="termination-done"]')).toBeNull();
    rerender(
      <TerminateDialog
        detail={detail({
          termination: {
            status: "COMPLETED",
            total: 2,
            terminated: 2,
            instances: [
              { recoveryInstanceId: "i-rec-db-01", sourceServerId: "s-1", status: "TERMINATED" },
              { recoveryInstanceId: "i-rec-db-02", sourceServerId: "s-2", status: "TERMINATED" },
            ],
          },
        })}
        visible
        onDismiss={onDismiss}
        onConfirm={onConfirm}
      />,
    );
    expect(container.ownerDocument.querySelector('[data-testid="termination-done"]')?.textContent).toContain(
      "2 instances of 2 terminated",
    );
    act(() => w.findButton('[data-testid="close-terminate"]')!.click());
    expect(onDismiss).toHaveBeenCalled();
  });

  it("a recovery asks for the plan name before the button is enabled", () => {
    const { container } = render(
      <TerminateDialog
        detail={detail({ executionType: "RECOVERY" })}
        visible
        onDismiss={() => {}}
        onConfirm={async () => true}
      />,
    );
    const w = createWrapper(container.ownerDocument.body);
    expect(w.findButton('[data-testid="confirm-terminate"]')!.isDisabled()).toBe(true);
    act(() => w.findInput('[data-testid="terminate-confirm-name"]')!.setInputValue("Billing"));
    expect(w.findButton('[data-testid="confirm-terminate"]')!.isDisabled()).toBe(false);
  });
});
