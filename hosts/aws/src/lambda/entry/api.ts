import type { APIGatewayProxyEvent, Context } from "aws-lambda";
import { composeApiLambda } from "../composition.js";
import { instrument } from "../telemetry.js";

/** API Gateway (REST, Cognito authorizer) → the Hono app. Composed once per cold start. */
const { tools, api } = composeApiLambda();
export const handler = instrument(tools, "api", (event: APIGatewayProxyEvent, _context: Context) =>
  api.handler(event, _context),
);
