import type * as apigateway from "aws-cdk-lib/aws-apigateway";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import type * as s3 from "aws-cdk-lib/aws-s3";

/*
 * aws-cdk-lib's classes are not assignable to their own interfaces under `exactOptionalPropertyTypes` (jsii
 * declares optional members without `| undefined`). These casts are the only places that flag fights the
 * library; they change no value.
 */
export const asBucket = (bucket: s3.Bucket): s3.IBucket => bucket as unknown as s3.IBucket;
export const asRestApi = (api: apigateway.RestApi): apigateway.IRestApi =>
  api as unknown as apigateway.IRestApi;
export const asTables = (tables: Record<string, dynamodb.Table>): Record<string, dynamodb.ITable> =>
  tables as unknown as Record<string, dynamodb.ITable>;
