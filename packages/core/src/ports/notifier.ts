import type { ExecutionEvent } from "../domain/execution.js";

/**
 * One notified lifecycle event. `seq` is the event's number among all the execution's events (the store's);
 * `notificationSeq` numbers only the notified ones, 1, 2, … per execution without gaps; `eventId`
 * (`<executionId>:<seq>`) is unique and the same on every redelivery, so receivers can drop duplicates.
 */
export type NotifiedEvent = ExecutionEvent & {
  planId: string;
  planName: string;
  executionType: string;
  eventId: string;
  notificationSeq: number;
};

/**
 * Lifecycle events leave the engine through this port (webhooks locally, SNS/EventBridge on AWS), from the
 * notification outbox: at least once, in order per execution. `publish` rejects when a channel did not take the
 * event (it is delivered again later); it resolves when every channel took it or refused it for good (4xx).
 */
export interface Notifier {
  publish(event: NotifiedEvent): Promise<void>;
}
