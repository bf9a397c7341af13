import type { NotifiedEvent } from "@drso/core";

/** SNS and EventBridge take at most 256 KB per message; a larger event is sent without its `data`. */
const MAX_MESSAGE_BYTES = 250_000;

/**
 * The JSON body every channel sends (webhook, SNS, EventBridge): `eventId` is unique and stable across
 * redeliveries (drop duplicates by it), `seq` numbers the execution's notifications 1, 2, … without gaps.
 */
export function notificationBody(event: NotifiedEvent): Record<string, unknown> {
  const body: Record<string, unknown> = {
    eventId: event.eventId,
    seq: event.notificationSeq,
    eventSeq: event.seq,
    type: event.type,
    at: new Date(event.at).toISOString(),
    executionId: event.executionId,
    planId: event.planId,
    planName: event.planName,
    executionType: event.executionType,
    ...(event.waveId ? { waveId: event.waveId } : {}),
    message: event.message,
    ...(event.data ? { data: event.data } : {}),
  };
  if (Buffer.byteLength(JSON.stringify(body), "utf8") > MAX_MESSAGE_BYTES) {
    delete body.data;
    body.dataTruncated = true;
  }
  return body;
}
