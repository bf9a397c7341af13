export { createWebhookNotifier, signWebhook, type WebhookNotifierOptions } from "./webhook-notifier.js";
