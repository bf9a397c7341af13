import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { type Notifier, UpstreamError } from "@drso/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  MOTO_CLIENT_CONFIG,
  type MotoServer,
  motoAvailable,
  motoSkipMessage,
  startMoto,
} from "../../../tests/support/moto.js";
import { createEventBridgeNotifier, createSnsNotifier, snsSubject } from "./aws-notifiers.js";
import { combineNotifiers } from "./combined-notifier.js";

const moto = motoAvailable();
if (!moto)
  console.warn(motoSkipMessage("SNS and EventBridge notifiers (adapters/notify/src/aws-notifiers.test.ts)"));

type Event = Parameters<Notifier["publish"]>[0];

function event(overrides: Partial<Event> = {}): Event {
  return {
    executionId: "0b9f6c1e-5d2a-4c3b-9e8f-7a6b5c4d3e2f",
    seq: 7,
    eventId: "0b9f6c1e-5d2a-4c3b-9e8f-7a6b5c4d3e2f:7",
    notificationSeq: 3,
    at: Date.UTC(2026, 0, 15, 9, 30, 0),
    type: "execution.completed",
    message: "Drill completed in 42 minutes",
    planId: "5e4d3c2b-1a09-4f8e-8d7c-6b5a49382716",
    planName: "Tier-1 applications",
    executionType: "DRILL",
    waveId: "wave-3",
    data: { serversLaunched: 12 },
    ...overrides,
  };
}

describe("SNS subject", () => {
  it("is printable ASCII under 100 characters whatever the plan name", () => {
    const subject = snsSubject(event({ planName: `Zürich datacentre — ${"x".repeat(200)}\n\t🚀` }));
    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(subject.startsWith("DRS Orchestrator DRILL execution.completed: Zurich datacentre")).toBe(true);
    expect(snsSubject(event())).toBe("DRS Orchestrator DRILL execution.completed: Tier-1 applications");
  });
});

describe("combineNotifiers", () => {
  it("delivers to every notifier even when one fails, then reports the failure", async () => {
    const seen: string[] = [];
    const ok = (name: string): Notifier => ({
      async publish(e) {
        seen.push(`${name}:${e.type}`);
      },
    });
    const broken: Notifier = {
      async publish() {
        throw new UpstreamError("NOTIFICATION_FAILED", "SNS is down");
      },
    };
    const combined = combineNotifiers(ok("a"), broken, ok("b"));
    await expect(combined.publish(event())).rejects.toMatchObject({
      code: "NOTIFICATION_FAILED",
      message: "SNS is down",
    });
    expect(seen).toEqual(["a:execution.completed", "b:execution.completed"]);
    const twoBroken = combineNotifiers(broken, { publish: () => Promise.reject(new Error("boom")) }, ok("c"));
    await expect(twoBroken.publish(event())).rejects.toThrow(
      /2 of 3 notification channels failed: SNS is down; boom/,
    );
    await expect(combineNotifiers(ok("d")).publish(event())).resolves.toBeUndefined();
    await expect(combineNotifiers().publish(event())).resolves.toBeUndefined();
  });
});

describe.skipIf(!moto)(
  "SNS and EventBridge notifiers against moto_server (delivered to SQS and read back)",
  () => {
    let server: MotoServer;
    let sqs: SQSClient;
    let sns: SNSClient;
    let events: EventBridgeClient;

    beforeAll(async () => {
      server = await startMoto();
      const config = { ...MOTO_CLIENT_CONFIG, endpoint: server.endpoint };
      sqs = new SQSClient(config);
      sns = new SNSClient(config);
      events = new EventBridgeClient(config);
    });
    afterAll(async () => {
      for (const c of [sqs, sns, events]) c?.destroy();
      await server?.stop();
    });

    async function queue(name: string): Promise<{ url: string; arn: string }> {
      const url = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
      const attributes = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }),
      );
      return { url, arn: attributes.Attributes!.QueueArn! };
    }

    async function drain(url: string): Promise<Message[]> {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          MessageAttributeNames: ["All"],
        }),
      );
      return out.Messages ?? [];
    }

    it("SNS: the topic's SQS subscriber receives the JSON body, the subject and the filterable attributes", async () => {
      const topicArn = (await sns.send(new CreateTopicCommand({ Name: "drs-orchestration-notifications" })))
        .TopicArn!;
      const { url, arn } = await queue("sns-subscriber");
      await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: arn }));
      const notifier = createSnsNotifier({ client: sns, topicArn });
      await notifier.publish(event());

      const messages = await drain(url);
      expect(messages).toHaveLength(1);
      const envelope = JSON.parse(messages[0]!.Body!) as {
        Subject: string;
        Message: string;
        MessageAttributes: Record<string, { Type: string; Value: string }>;
      };
      expect(envelope.Subject).toBe("DRS Orchestrator DRILL execution.completed: Tier-1 applications");
      expect(JSON.parse(envelope.Message)).toEqual({
        eventId: `${event().executionId}:7`,
        seq: 3,
        eventSeq: 7,
        type: "execution.completed",
        at: "2026-01-15T09:30:00.000Z",
        executionId: event().executionId,
        planId: event().planId,
        planName: "Tier-1 applications",
        executionType: "DRILL",
        waveId: "wave-3",
        message: "Drill completed in 42 minutes",
        data: { serversLaunched: 12 },
      });
      expect(envelope.MessageAttributes).toMatchObject({
        eventType: { Type: "String", Value: "execution.completed" },
        executionId: { Type: "String", Value: event().executionId },
        executionType: { Type: "String", Value: "DRILL" },
      });
    });

    it("SNS: an unknown topic is an UpstreamError", async () => {
      const notifier = createSnsNotifier({
        client: sns,
        topicArn: "arn:aws:sns:us-east-1:123456789012:does-not-exist",
      });
      await expect(notifier.publish(event())).rejects.toBeInstanceOf(UpstreamError);
    });

    it("EventBridge: detail-type is the event type, so a rule routes only the types it names to its SQS target", async () => {
      const eventBusName = "drs-orchestration-events";
      await events.send(new CreateEventBusCommand({ Name: eventBusName }));
      const { url, arn } = await queue("eventbridge-target");
      await events.send(
        new PutRuleCommand({
          Name: "drills-completed",
          EventBusName: eventBusName,
          EventPattern: JSON.stringify({
            source: ["drs-orchestrator"],
            "detail-type": ["execution.completed"],
          }),
        }),
      );
      await events.send(
        new PutTargetsCommand({
          Rule: "drills-completed",
          EventBusName: eventBusName,
          Targets: [{ Id: "queue", Arn: arn }],
        }),
      );
      const notifier = createEventBridgeNotifier({ client: events, eventBusName });
      await notifier.publish(event({ type: "wave.started", message: "Wave 3 started" }));
      await notifier.publish(event());

      const messages = await drain(url);
      expect(messages).toHaveLength(1);
      const delivered = JSON.parse(messages[0]!.Body!) as Record<string, unknown>;
      expect(delivered).toMatchObject({
        source: "drs-orchestrator",
        "detail-type": "execution.completed",
        detail: {
          type: "execution.completed",
          executionId: event().executionId,
          planName: "Tier-1 applications",
          executionType: "DRILL",
        },
      });
    });

    it("EventBridge: a custom source is used as given", async () => {
      const eventBusName = "custom-source-bus";
      await events.send(new CreateEventBusCommand({ Name: eventBusName }));
      const { url, arn } = await queue("custom-source-target");
      await events.send(
        new PutRuleCommand({
          Name: "custom",
          EventBusName: eventBusName,
          EventPattern: JSON.stringify({ source: ["acme.dr"] }),
        }),
      );
      await events.send(
        new PutTargetsCommand({
          Rule: "custom",
          EventBusName: eventBusName,
          Targets: [{ Id: "q", Arn: arn }],
        }),
      );
      await createEventBridgeNotifier({ client: events, eventBusName, source: "acme.dr" }).publish(event());
      const messages = await drain(url);
      expect(messages.map((m) => (JSON.parse(m.Body!) as { source: string }).source)).toEqual(["acme.dr"]);
    });
  },
);
