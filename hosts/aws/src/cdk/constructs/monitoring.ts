import { ArnFormat, Duration, Stack } from "aws-cdk-lib";
import type * as apigateway from "aws-cdk-lib/aws-apigateway";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as kms from "aws-cdk-lib/aws-kms";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import type * as sfn from "aws-cdk-lib/aws-stepfunctions";
import { Construct } from "constructs";

export interface MonitoringProps {
  dashboardName: string;
  functions: Record<string, lambda.IFunction>;
  stateMachine: sfn.IStateMachine;
  restApi?: apigateway.RestApi;
  /** The custom metrics namespace of the Lambdas (Powertools). */
  metricsNamespace: string;
  encryptionKey: kms.IKey;
  /** Subscribed to the alarm topic (confirmation e-mail) when given. */
  alarmEmail?: string;
}

/**
 * Alarms on what needs a person: Lambda errors and throttles, workflows that failed, timed out or were
 * aborted, API 5xx; all to one encrypted SNS topic. A dashboard for the rest.
 */
export class Monitoring extends Construct {
  readonly alarmTopic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.alarmTopic = new sns.Topic(this, "Alarms", {
      displayName: "DRS Orchestrator alarms",
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    // CloudWatch publishes to the encrypted topic.
    props.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: "CloudWatchAlarmsPublish",
        principals: [new iam.ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
        resources: ["*"],
        // Only on behalf of this account's alarms (confused-deputy protection).
        conditions: {
          StringEquals: { "aws:SourceAccount": Stack.of(this).account },
          ArnLike: {
            "aws:SourceArn": Stack.of(this).formatArn({
              service: "cloudwatch",
              resource: "alarm",
              resourceName: "*",
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    if (props.alarmEmail)
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    const notify = new actions.SnsAction(this.alarmTopic);
    const alarm = (name: string, metric: cloudwatch.IMetric, description: string, threshold = 1) => {
      const a = new cloudwatch.Alarm(this, name, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      a.addAlarmAction(notify);
      this.alarms.push(a);
      return a;
    };

    const period = Duration.minutes(5);
    for (const [name, fn] of Object.entries(props.functions)) {
      alarm(`${name}-errors`, fn.metricErrors({ period }), `The ${name} Lambda failed (uncaught errors).`);
      alarm(`${name}-throttles`, fn.metricThrottles({ period }), `The ${name} Lambda was throttled.`);
    }
    alarm(
      "workflow-failed",
      props.stateMachine.metricFailed({ period }),
      "An execution workflow ended Failed: a recovery execution FAILED, or the engine driver itself failed.",
    );
    alarm(
      "workflow-timed-out",
      props.stateMachine.metricTimedOut({ period }),
      "An execution workflow timed out.",
    );
    alarm(
      "workflow-aborted",
      props.stateMachine.metricAborted({ period }),
      "An execution workflow was stopped by hand.",
    );
    alarm(
      "step-failures",
      new cloudwatch.Metric({
        namespace: props.metricsNamespace,
        metricName: "StepFailures",
        dimensionsMap: { service: "drs-orchestrator" },
        statistic: "Sum",
        period,
      }),
      "The engine step failed (DynamoDB, DRS or a bug); the workflow retries, but look.",
      3,
    );
    if (props.restApi)
      alarm(
        "api-5xx",
        props.restApi.metricServerError({ period, statistic: "Sum" }),
        "The API returned 5xx.",
        5,
      );

    this.dashboard = new cloudwatch.Dashboard(this, "Dashboard", { dashboardName: props.dashboardName });
    const fns = Object.entries(props.functions);
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: "Executions (workflows)",
        left: [
          props.stateMachine.metricStarted({ period }),
          props.stateMachine.metricSucceeded({ period }),
          props.stateMachine.metricFailed({ period }),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: "Engine",
        left: [
          "WorkflowsStarted",
          "WorkflowContinuations",
          "WorkflowHandOvers",
          "SignalsSent",
          "StepFailures",
          "SignalFailures",
        ].map(
          (metricName) =>
            new cloudwatch.Metric({
              namespace: props.metricsNamespace,
              metricName,
              dimensionsMap: { service: "drs-orchestrator" },
              statistic: "Sum",
              period,
            }),
        ),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: "Lambda errors",
        left: fns.map(([, fn]) => fn.metricErrors({ period })),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: "Lambda duration p99",
        left: fns.map(([, fn]) => fn.metricDuration({ period, statistic: "p99" })),
        width: 12,
      }),
      ...(props.restApi
        ? [
            new cloudwatch.GraphWidget({
              title: "API requests and errors",
              left: [props.restApi.metricCount({ period })],
              right: [
                props.restApi.metricClientError({ period }),
                props.restApi.metricServerError({ period }),
              ],
              width: 12,
            }),
            new cloudwatch.GraphWidget({
              title: "API latency p99",
              left: [props.restApi.metricLatency({ period, statistic: "p99" })],
              width: 12,
            }),
          ]
        : []),
    );
  }
}
