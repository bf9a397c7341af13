export {
  createEventBridgeNotifier,
  createSnsNotifier,
  type EventBridgeNotifierOptions,
  notificationBody,
  type SnsNotifierOptions,
  snsSubject,
} from "./aws-notifiers.js";
export { combineNotifiers } from "./combined-notifier.js";
export { createWebhookNotifier, signWebhook, type WebhookNotifierOptions } from "./webhook-notifier.js";
