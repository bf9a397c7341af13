import { render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

const items = [
  {
    jobId: "drsjob-1",
    event: "LAUNCH_START",
    at: "2026-03-01T10:00:00.000Z",
    sourceServerId: "s-0123456789abcdef0",
    hostname: "db-billing-01",
  },
];

vi.mock("../../app-context.js", () => ({
  useApi: () => ({
    GET: async () => ({ data: { items }, response: new Response(null, { status: 200 }) }),
  }),
}));

const { JobLogViewer } = await import("./job-log-viewer.js");

describe("job log viewer", () => {
  it("shows the hostname beside the source server id", async () => {
    render(<JobLogViewer executionId="e1" live={false} />);
    expect(await screen.findByText(/db-billing-01/)).toBeTruthy();
    expect(screen.getByText(/s-0123456789abcdef0/)).toBeTruthy();
  });
});
