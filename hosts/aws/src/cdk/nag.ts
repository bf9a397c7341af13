import { Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import type { IConstruct } from "constructs";

/** cdk-nag's AWS Solutions rules run on every synth (app.ts and the tests). */
export function addNagChecks(app: IConstruct): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}

export interface Acknowledgement {
  /** A rule, or one finding of it: `AwsSolutions-IAM5[Resource::*]`. */
  id: string;
  reason: string;
}

/** Every acknowledgement made, for the report (`npm run synth` prints them). */
export const ACKNOWLEDGED: Array<Acknowledgement & { path: string }> = [];

export function acknowledge(scope: IConstruct, ...acks: Acknowledgement[]): void {
  for (const ack of acks) {
    Validations.of(scope).acknowledge(ack);
    ACKNOWLEDGED.push({ ...ack, path: scope.node.path });
  }
}
