import { describe, expect, it } from "vitest";
import { readEventStream } from "./use-execution-live.js";

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(encoder.encode(c));
      controller.close();
    },
  });
}

describe("server-sent events parsing", () => {
  it("reassembles messages split across chunks and skips keep-alive comments", async () => {
    const messages: Array<{ id?: string; event?: string; data: string }> = [];
    await readEventStream(
      streamOf([
        "id: 1\nevent: execution-event\nda",
        'ta: {"seq":1}\n\n: keep-alive\n\n',
        'id: 2\nevent: execution-event\ndata: {"seq":2}\n\n',
      ]),
      (m) => messages.push(m),
      new AbortController().signal,
    );
    expect(messages).toEqual([
      { id: "1", event: "execution-event", data: '{"seq":1}' },
      { id: "2", event: "execution-event", data: '{"seq":2}' },
    ]);
  });
});
