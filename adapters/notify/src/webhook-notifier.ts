import { createHmac } from "node:crypto";
import { type Notifier, UpstreamError, type WebhookTarget } from "@drso/core";
import { notificationBody } from "./notification-body.js";

export interface WebhookNotifierOptions {
  /** Current targets (read from settings; called per event so changes apply without restart). */
  targets(): Promise<WebhookTarget[]>;
  fetch?: typeof fetch;
  /** Attempts per target per publish. Default 3 (1 s, 4 s between them); the outbox retries after that. */
  attempts?: number;
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  log?: (message: string, detail?: unknown) => void;
}

/** Signature header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (verify t to stop replays). */
export function signWebhook(secret: string, body: string, timestampSeconds: number): string {
  const mac = createHmac("sha256", secret).update(`${timestampSeconds}.${body}`).digest("hex");
  return `t=${timestampSeconds},v1=${mac}`;
}

/**
 * Posts lifecycle events as JSON to the configured webhooks, HMAC-signed when a secret is set, retrying with
 * backoff on network errors and 5xx/429. `publish` rejects when a target still did not take the event, so the
 * notification outbox delivers it again later (receivers drop duplicates by `eventId`); a 4xx is final.
 */
export function createWebhookNotifier(options: WebhookNotifierOptions): Notifier {
  const doFetch = options.fetch ?? fetch;
  const attempts = options.attempts ?? 3;
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const log = options.log ?? (() => {});

  /** True when the target took the event or refused it for good; false when it should be tried again. */
  async function deliver(target: WebhookTarget, body: string, eventType: string, eventId: string) {
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const headers: Record<string, string> = {
        "content-type": "application/json",
        "user-agent": "drs-orchestrator-webhook",
        "x-drso-event": eventType,
        "x-drso-event-id": eventId,
        "x-drso-delivery-attempt": String(attempt),
      };
      if (target.secret)
        headers["x-drso-signature"] = signWebhook(target.secret, body, Math.floor(Date.now() / 1000));
      try {
        const response = await doFetch(target.url, {
          method: "POST",
          headers,
          body,
          redirect: "manual",
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
        await response.body?.cancel();
        if (response.status < 300) return true;
        if (response.status < 500 && response.status !== 429) {
          log("webhook rejected", { url: target.url, status: response.status });
          return true;
        }
      } catch (error) {
        if (attempt === attempts)
          log("webhook delivery failed", { url: target.url, error: (error as Error).message });
      }
      if (attempt < attempts) await sleep(1000 * 4 ** (attempt - 1));
    }
    return false;
  }

  return {
    async publish(event) {
      const targets = (await options.targets()).filter(
        (t) => t.enabled !== false && (!t.events || t.events.includes(event.type)),
      );
      if (targets.length === 0) return;
      const body = JSON.stringify(notificationBody(event));
      const delivered = await Promise.all(targets.map((t) => deliver(t, body, event.type, event.eventId)));
      const failed = targets.filter((_, i) => !delivered[i]).map((t) => t.url);
      if (failed.length > 0)
        throw new UpstreamError(
          "NOTIFICATION_FAILED",
          `webhook ${failed.join(", ")} did not take event ${event.eventId}; it will be delivered again`,
        );
    },
  };
}
