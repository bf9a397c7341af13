import { DrsClient } from "@aws-sdk/client-drs";
import { credentialsFor } from "../protocol/sigv4-scope.js";
import type { RunningSimulator } from "../simulator.js";

/** An unmodified SDK client pointed at a running simulator, acting in `accountId` and `region`. */
export function drsClient(
  sim: RunningSimulator,
  options: { accountId?: string; region?: string; maxAttempts?: number } = {},
): DrsClient {
  return new DrsClient({
    region: options.region ?? "us-east-1",
    endpoint: sim.url,
    credentials: credentialsFor(options.accountId ?? "123456789012"),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
  });
}

/** Calls a `/__sim` route over HTTP and returns status and JSON body. */
export async function control(
  sim: RunningSimulator,
  method: string,
  path: string,
  body?: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: control-plane JSON in tests
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${sim.url}${path}`, {
    method,
    ...(body !== undefined
      ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } }
      : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}
