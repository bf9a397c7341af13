import { createHash } from "node:crypto";

/**
 * The idempotency key of one wave action of one execution: UUID-shaped, the same on every attempt and after any
 * restart (derived, not stored), different for every other action. SSM automations send it as ClientToken, HTTP
 * actions as the `Idempotency-Key` header, so a target that honours it runs the action once. A re-run after a wave
 * retry (`rerun` 1, 2, …) is a new run and gets a new key.
 */
export function actionIdempotencyKey(executionId: string, actionId: string, rerun = 0): string {
  const h = createHash("sha256")
    .update(`${executionId}\u0000${actionId}${rerun > 0 ? `\u0000rerun ${rerun}` : ""}`)
    .digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
