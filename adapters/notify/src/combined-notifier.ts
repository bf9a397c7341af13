import { AppError, type Notifier, UpstreamError } from "@drso/core";

/**
 * Sends each event to every notifier. One failing does not stop the others; when some failed, the
 * returned promise rejects (after all have finished) naming each failure.
 */
export function combineNotifiers(...notifiers: Notifier[]): Notifier {
  return {
    async publish(event) {
      const results = await Promise.allSettled(notifiers.map((n) => n.publish(event)));
      const failures = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failures.length === 0) return;
      const reasons = failures.map((f) => (f.reason instanceof Error ? f.reason.message : String(f.reason)));
      const first = failures[0]?.reason;
      if (failures.length === 1 && first instanceof AppError) throw first;
      throw new UpstreamError(
        "NOTIFICATION_FAILED",
        `${failures.length} of ${notifiers.length} notification channels failed: ${reasons.join("; ")}`,
      );
    },
  };
}
