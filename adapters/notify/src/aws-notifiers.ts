import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandOutput,
} from "@aws-sdk/client-eventbridge";
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { type NotifiedEvent, type Notifier, UpstreamError } from "@drso/core";
import { notificationBody } from "./notification-body.js";

export { notificationBody };

/**
 * An SNS subject: ASCII without control characters, starting with a letter, digit or punctuation, under
 * 100 characters (SNS refuses anything else and e-mail subscribers see it as the mail subject).
 */
export function snsSubject(event: NotifiedEvent): string {
  const raw = `DRS Orchestrator ${event.executionType} ${event.type}: ${event.planName}`;
  const ascii = raw
    .normalize("NFKD")
    .replace(/[^\x20-\x7e]/g, "")
    .replace(/\s+/g, " ")
    .trim();
  return ascii.length <= 99 ? ascii : `${ascii.slice(0, 96)}...`;
}

function errorName(error: unknown): string {
  return typeof error === "object" && error !== null && "name" in error
    ? String((error as { name: unknown }).name)
    : "Error";
}

function upstream(channel: string, error: unknown): UpstreamError {
  if (error instanceof UpstreamError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new UpstreamError(
    "NOTIFICATION_FAILED",
    `${channel} rejected the notification (${errorName(error)}): ${message}`,
  );
}

export interface SnsNotifierOptions {
  client: SNSClient;
  topicArn: string;
}

/**
 * Publishes lifecycle events to an SNS topic. The message is the JSON body; message attributes
 * `eventType`, `executionId`, `executionType` (and `planId`, `waveId` when known) let subscriptions filter
 * (e.g. only `execution.failed` to the on-call e-mail). Failures reject with UpstreamError after the SDK's
 * own retries; the engine logs them and carries on.
 */
export function createSnsNotifier(options: SnsNotifierOptions): Notifier {
  return {
    async publish(event) {
      const attributes: Record<string, { DataType: "String"; StringValue: string }> = {
        eventType: { DataType: "String", StringValue: event.type },
        executionId: { DataType: "String", StringValue: event.executionId },
        executionType: { DataType: "String", StringValue: event.executionType },
        planId: { DataType: "String", StringValue: event.planId },
      };
      if (event.waveId) attributes.waveId = { DataType: "String", StringValue: event.waveId };
      try {
        await options.client.send(
          new PublishCommand({
            TopicArn: options.topicArn,
            Subject: snsSubject(event),
            Message: JSON.stringify(notificationBody(event)),
            MessageAttributes: attributes,
          }),
        );
      } catch (error) {
        throw upstream("SNS", error);
      }
    },
  };
}

export interface EventBridgeNotifierOptions {
  client: EventBridgeClient;
  eventBusName: string;
  /** Default "drs-orchestrator". */
  source?: string;
}

/**
 * Puts lifecycle events on an EventBridge bus: `source` = "drs-orchestrator", `detail-type` = the event
 * type (`execution.completed`, `wave.failed`, …), `detail` = the JSON body, `time` = the event's time, and
 * the execution ID as the event's resource, so rules can route by type, plan or execution type.
 */
export function createEventBridgeNotifier(options: EventBridgeNotifierOptions): Notifier {
  const source = options.source ?? "drs-orchestrator";
  return {
    async publish(event) {
      let out: PutEventsCommandOutput;
      try {
        out = await options.client.send(
          new PutEventsCommand({
            Entries: [
              {
                EventBusName: options.eventBusName,
                Source: source,
                DetailType: event.type,
                Detail: JSON.stringify(notificationBody(event)),
                Time: new Date(event.at),
                Resources: [`drs-orchestrator:execution/${event.executionId}`],
              },
            ],
          }),
        );
      } catch (error) {
        throw upstream("EventBridge", error);
      }
      if ((out.FailedEntryCount ?? 0) > 0) {
        const failed = out.Entries?.find((e) => e.ErrorCode);
        throw new UpstreamError(
          "NOTIFICATION_FAILED",
          `EventBridge rejected the event (${failed?.ErrorCode ?? "unknown"}): ${failed?.ErrorMessage ?? ""}`,
        );
      }
    },
  };
}
