import { ArnFormat, RemovalPolicy, Stack } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import * as sfn from "aws-cdk-lib/aws-stepfunctions";
import { Construct } from "constructs";

export interface OrchestrationProps {
  stateMachineName: string;
  /** The Amazon States Language document (`buildDefinition` from src/state-machine). */
  definition: Record<string, unknown>;
  /** Functions the definition invokes. */
  functions: lambda.IFunction[];
  logRetention: logs.RetentionDays;
}

/**
 * The engine driver: a Standard workflow per execution (one year at most, exactly-once state transitions),
 * every event logged without execution data (no task tokens in logs), X-Ray tracing, and a role that may invoke only the engine's Lambdas.
 */
export class Orchestration extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: OrchestrationProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, "Logs", {
      // Generated name (a retained group never blocks a redeploy), kept on delete, removed on a failed first create.
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    const role = new iam.Role(this, "Role", {
      assumedBy: new iam.ServicePrincipal("states.amazonaws.com"),
      description: "DRS Orchestrator state machine: invokes the engine's Lambdas",
    });
    this.role = role;
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: "InvokeEngine",
        actions: ["lambda:InvokeFunction"],
        resources: props.functions.map((f) => f.functionArn),
      }),
    );
    // Continue-as-new: the HandOver state starts the next workflow of the same execution on this machine.
    // (The ARN is formatted from the name: a reference to the machine would make the role depend on it.)
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: "HandOverToItself",
        actions: ["states:StartExecution"],
        resources: [
          Stack.of(this).formatArn({
            service: "states",
            resource: "stateMachine",
            resourceName: props.stateMachineName,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    this.stateMachine = new sfn.StateMachine(this, "StateMachine", {
      stateMachineName: props.stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(JSON.stringify(props.definition)),
      role,
      tracingEnabled: true,
      // Every event, but without execution data: state inputs, outputs and task parameters carry task tokens
      // (WaitForSignal); the event types, states and errors remain, and the Lambdas' logs say the rest.
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
  }
}
