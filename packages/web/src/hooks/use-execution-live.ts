import { type Schemas, unwrap } from "@drso/client";
import { useCallback, useEffect, useRef, useState } from "react";
import { useServices } from "../app-context.js";

export type ExecutionDetail = Schemas["ExecutionDetail"];
export type ExecutionEvent = Schemas["ExecutionEvent"];

export const TERMINAL = ["COMPLETED", "FAILED", "CANCELLED"] as const;
export const isTerminal = (status: string | undefined) =>
  (TERMINAL as readonly string[]).includes(status ?? "");

export interface LiveExecution {
  detail: ExecutionDetail | undefined;
  events: ExecutionEvent[];
  error: unknown;
  transport: "connecting" | "sse" | "polling";
  reload(): Promise<void>;
}

/** Parses a text/event-stream body; calls `onMessage` for each complete message. */
export async function readEventStream(
  body: ReadableStream<Uint8Array>,
  onMessage: (message: { id?: string; event?: string; data: string }) => void,
  signal: AbortSignal,
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    while (!signal.aborted) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut = buffer.indexOf("\n\n");
      while (cut >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const message: { id?: string; event?: string; data: string } = { data: "" };
        const data: string[] = [];
        for (const line of block.split("\n")) {
          if (line.startsWith(":")) continue;
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "id") message.id = value;
          else if (field === "event") message.event = value;
          else if (field === "data") data.push(value);
        }
        if (data.length > 0) {
          message.data = data.join("\n");
          onMessage(message);
        }
        cut = buffer.indexOf("\n\n");
      }
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

/**
 * An execution, live: server-sent events (fetch streaming, so the bearer header is sent) drive refreshes of
 * the detail; when the stream is unavailable it falls back to polling the detail and `/events?afterSeq=`.
 */
export function useExecutionLive(executionId: string, options: { pollMs?: number } = {}): LiveExecution {
  const { api, authedFetch, apiBaseUrl } = useServices();
  const pollMs = options.pollMs ?? 3000;
  const [detail, setDetail] = useState<ExecutionDetail>();
  const [events, setEvents] = useState<ExecutionEvent[]>([]);
  const [error, setError] = useState<unknown>();
  const [transport, setTransport] = useState<LiveExecution["transport"]>("connecting");
  const cursor = useRef(0);
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const loadDetail = useCallback(async () => {
    try {
      const d = await unwrap(api.GET("/executions/{id}", { params: { path: { id: executionId } } }));
      setDetail(d);
      setError(undefined);
    } catch (e) {
      setError(e);
    }
  }, [api, executionId]);

  const addEvents = useCallback((incoming: ExecutionEvent[]) => {
    if (incoming.length === 0) return;
    cursor.current = Math.max(cursor.current, ...incoming.map((e) => e.seq));
    setEvents((current) => {
      const seen = new Set(current.map((e) => e.seq));
      const merged = [...current, ...incoming.filter((e) => !seen.has(e.seq))];
      return merged.sort((a, b) => a.seq - b.seq);
    });
  }, []);

  const pollEvents = useCallback(async () => {
    const page = await unwrap(
      api.GET("/executions/{id}/events", {
        params: { path: { id: executionId }, query: { afterSeq: cursor.current } },
      }),
    );
    addEvents(page.items);
  }, [api, executionId, addEvents]);

  useEffect(() => {
    cursor.current = 0;
    setEvents([]);
    setDetail(undefined);
    const abort = new AbortController();
    let pollTimer: ReturnType<typeof setInterval> | undefined;
    const scheduleRefresh = () => {
      if (refreshTimer.current) return;
      refreshTimer.current = setTimeout(() => {
        refreshTimer.current = undefined;
        void loadDetail();
      }, 250);
    };
    const startPolling = () => {
      if (pollTimer || abort.signal.aborted) return;
      setTransport("polling");
      const tick = async () => {
        try {
          await Promise.all([loadDetail(), pollEvents()]);
        } catch (e) {
          setError(e);
        }
      };
      void tick();
      pollTimer = setInterval(() => void tick(), pollMs);
    };
    const connect = async (attempt: number): Promise<void> => {
      if (abort.signal.aborted) return;
      try {
        const url = new URL(
          `${apiBaseUrl}/executions/${encodeURIComponent(executionId)}/events/stream?afterSeq=${cursor.current}`,
        );
        const request = new Request(url, {
          headers: {
            accept: "text/event-stream",
            ...(cursor.current > 0 ? { "last-event-id": String(cursor.current) } : {}),
          },
          signal: abort.signal,
        });
        const response = await authedFetch(request);
        const type = response.headers.get("content-type") ?? "";
        if (!response.ok || !response.body || !type.includes("text/event-stream"))
          throw new Error("no stream");
        setTransport("sse");
        await readEventStream(
          response.body,
          (message) => {
            if (message.event && message.event !== "execution-event") return;
            try {
              addEvents([JSON.parse(message.data) as ExecutionEvent]);
              scheduleRefresh();
            } catch {
              // a malformed message is skipped; the periodic refresh still catches up
            }
          },
          abort.signal,
        );
        // The server closes long streams; reconnect from the cursor.
        if (!abort.signal.aborted) return connect(0);
      } catch {
        if (abort.signal.aborted) return;
        if (attempt < 2) {
          await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
          return connect(attempt + 1);
        }
        startPolling();
      }
    };
    void loadDetail();
    if (typeof ReadableStream === "undefined") startPolling();
    else void connect(0);
    // Durations tick while the run is active, and the stream only reports changes.
    const slow = setInterval(() => void loadDetail(), Math.max(pollMs, 5000));
    return () => {
      abort.abort();
      if (pollTimer) clearInterval(pollTimer);
      clearInterval(slow);
      if (refreshTimer.current) clearTimeout(refreshTimer.current);
      refreshTimer.current = undefined;
    };
  }, [apiBaseUrl, authedFetch, executionId, loadDetail, pollEvents, addEvents, pollMs]);

  return { detail, events, error, transport, reload: loadDetail };
}
