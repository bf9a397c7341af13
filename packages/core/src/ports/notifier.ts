import type { ExecutionEvent } from "../domain/execution.js";

/** Lifecycle events leave the engine through this port (webhooks locally, SNS/EventBridge on AWS). */
export interface Notifier {
  publish(event: ExecutionEvent & { planId: string; planName: string; executionType: string }): Promise<void>;
}
