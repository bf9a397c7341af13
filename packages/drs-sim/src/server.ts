import type { IncomingMessage, ServerResponse } from "node:http";
import { handleControlRequest } from "./control/control-routes.js";
import type { RequestLogEntry } from "./control/request-log.js";
import { DrsError, errors } from "./model/drs-error.js";
import { OperationContext, type OperationInput, type RequestNote } from "./operations/operation-context.js";
import { OPERATION_HANDLERS } from "./operations/operation-handlers.js";
import { readBody, sendError, sendJson, sendRaw } from "./protocol/http-io.js";
import { ARN_SCHEMA, type OperationDef, TAG_KEYS_SCHEMA } from "./protocol/operations.js";
import { route } from "./protocol/router.js";
import { accountFor, parseAuthorization } from "./protocol/sigv4-scope.js";
import { isPlainObject, validate } from "./protocol/validation.js";
import type { SimulatorRuntime } from "./runtime.js";

const READ_ONLY = /^(Describe|Get|List)/;
const FALLBACK_REGION = "us-east-1";

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseAttempt(value: string | undefined): { attempt?: number; maxAttempts?: number } {
  if (!value) return {};
  const attempt = /attempt=(\d+)/.exec(value)?.[1];
  const max = /max=(\d+)/.exec(value)?.[1];
  return { ...(attempt ? { attempt: Number(attempt) } : {}), ...(max ? { maxAttempts: Number(max) } : {}) };
}

/**
 * The node:http request listener: `/__sim/*` goes to the control plane, everything else is a DRS request
 * (spec §1–§4). Every request is answered (or deliberately dropped by a fault); nothing a client sends can
 * crash the process or produce a 5xx unless a fault injects one.
 */
export function createRequestHandler(runtime: SimulatorRuntime, options: { logRequests: boolean }) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    handle(runtime, req, res, options.logRequests).catch((error: unknown) => {
      console.error("drs-sim: unexpected error while handling a request", error);
      if (!res.headersSent && !res.destroyed) {
        sendJson(
          res,
          500,
          { message: "Internal simulator error" },
          { "x-amzn-errortype": "InternalServerException" },
        );
      }
    });
  };
}

async function handle(
  runtime: SimulatorRuntime,
  req: IncomingMessage,
  res: ServerResponse,
  logRequests: boolean,
) {
  const started = performance.now();
  const method = req.method ?? "GET";
  const url = new URL(req.url ?? "/", "http://simulator");
  if (url.pathname === "/__sim" || url.pathname.startsWith("/__sim/")) {
    await handleControlRequest(runtime, req, res, url);
    return;
  }

  const config = runtime.config;
  const sim = runtime.sim;
  const requestId = runtime.requestIds.uuid();
  const scope = parseAuthorization(header(req, "authorization"));
  const accountId = accountFor(scope.accessKeyId, runtime.accounts, runtime.defaultAccountId);
  const region = scope.region ?? FALLBACK_REGION;
  const invocationId = header(req, "amz-sdk-invocation-id");
  const entry: RequestLogEntry = {
    seq: runtime.requestLog.nextSeq(),
    time: new Date(sim.now()).toISOString(),
    timeMs: sim.now(),
    method,
    path: url.pathname,
    operation: null,
    accountId,
    region,
    status: 0,
    ...(invocationId ? { invocationId } : {}),
    ...parseAttempt(header(req, "amz-sdk-request")),
    durationMs: 0,
  };
  const finish = (status: number, errorType?: string, fault?: string) => {
    entry.status = status;
    if (errorType) entry.errorType = errorType;
    if (fault) entry.fault = fault;
    entry.durationMs = Math.round((performance.now() - started) * 1000) / 1000;
    runtime.requestLog.add(entry);
    if (logRequests) {
      const what = entry.operation ?? `${method} ${url.pathname}`;
      const outcome = errorType ? `${status} ${errorType}` : String(status);
      console.log(`${entry.time} ${what} ${accountId} ${region} → ${outcome}${fault ? ` [${fault}]` : ""}`);
    }
  };
  const fail = (error: DrsError, fault?: string) => {
    sendError(res, error, requestId, { withoutHeader: config.errorWithoutHeader });
    finish(error.status, error.exception, fault);
  };

  const body = await readBody(req, config.maxBodyBytes);
  if (body.kind === "aborted") {
    finish(0, undefined, "clientAborted");
    return;
  }
  if (body.kind === "tooLarge") {
    res.setHeader("connection", "close");
    fail(errors.validation(`Request body exceeds ${config.maxBodyBytes} bytes`, undefined, "other"));
    return;
  }

  const match = route(method, url.pathname);
  if (match.kind === "unknown") {
    fail(errors.validation(match.reason, undefined, "unknownOperation"));
    return;
  }
  if (match.kind === "badArn") {
    fail(errors.validation(match.reason, [{ name: "resourceArn", message: match.reason }]));
    return;
  }
  if (match.kind === "notSimulated") {
    entry.operation = match.name;
    sendJson(
      res,
      501,
      { message: `${match.name} is not simulated` },
      { "x-amzn-requestid": requestId, "x-amzn-errortype": "InternalServerException" },
    );
    finish(501, "InternalServerException", "notSimulated");
    return;
  }
  const op = match.op;
  entry.operation = op.name;

  try {
    if (config.requireAuthHeader && !header(req, "authorization")) {
      fail(errors.accessDenied("Missing Authentication Token"), "requireAuthHeader");
      return;
    }
    const decision = runtime.faults.before(config, {
      operation: op.name,
      accountId,
      region,
      now: sim.now(),
      epochMs: sim.epochMs,
    });
    const latency = runtime.faults.latencyMs(config, op.name, accountId);
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    if (decision.kind === "hang") {
      finish(0, undefined, "hang");
      return; // never answered; the socket is destroyed on close()
    }
    if (decision.kind === "reset") {
      req.socket.destroy();
      finish(0, undefined, "connectionReset");
      return;
    }
    if (decision.kind === "error") {
      fail(decision.error, decision.fault);
      return;
    }
    if (decision.kind === "raw") {
      sendRaw(res, decision.status, decision.body, {
        "x-amzn-requestid": requestId,
        ...(decision.contentType ? { "content-type": decision.contentType } : {}),
      });
      finish(decision.status, undefined, decision.fault);
      return;
    }

    const input = parseInput(op.method, body.body, match.resourceArn, url);
    const { output, note } = executeOperation(runtime, op, accountId, region, input);
    Object.assign(entry, note);
    if (!READ_ONLY.test(op.name)) runtime.markDirty();

    const after = runtime.faults.after(config, op.name);
    if (after === "reset") {
      req.socket.destroy();
      finish(0, undefined, "connectionReset");
      return;
    }
    if (after === "malformedJson") {
      const text = JSON.stringify(output ?? {});
      sendRaw(
        res,
        op.successCode === 204 ? 200 : op.successCode,
        text.slice(0, Math.max(1, Math.floor(text.length / 2))),
        {
          "x-amzn-requestid": requestId,
          "content-type": "application/json",
        },
      );
      finish(op.successCode, undefined, "malformedJson");
      return;
    }
    sendJson(res, op.successCode, op.successCode === 204 ? undefined : (output ?? {}), {
      "x-amzn-requestid": requestId,
    });
    finish(op.successCode);
  } catch (error) {
    if (error instanceof DrsError) {
      fail(error);
      return;
    }
    console.error(`drs-sim: ${op.name} failed unexpectedly`, error);
    fail(new DrsError("InternalServerException", "Internal simulator error"), "simulatorBug");
  }
}

/**
 * Validation, the uninitialized-account check and the operation itself: the part of a DRS request after the
 * wire (also used in-process by tests). Throws DrsError.
 */
export function executeOperation(
  runtime: SimulatorRuntime,
  op: OperationDef,
  accountId: string,
  region: string,
  input: OperationInput,
): { output: Record<string, unknown> | undefined; note: RequestNote } {
  const problems = validate(input.body, op.input);
  if (input.resourceArn !== undefined)
    problems.unshift(...validate(input.resourceArn, ARN_SCHEMA, "resourceArn"));
  if (op.name === "UntagResource") {
    problems.push(
      ...(input.tagKeys?.length
        ? validate(input.tagKeys, TAG_KEYS_SCHEMA, "tagKeys")
        : [{ name: "tagKeys", message: "Required" }]),
    );
  }
  if (problems.length > 0) throw errors.validation("Invalid request", problems);
  if (!op.skipInitCheck && !runtime.sim.isInitialized(accountId, region)) throw errors.uninitialized();
  const ctx = new OperationContext(runtime.sim, op.name, accountId, region, runtime.reads);
  const output = OPERATION_HANDLERS[op.name](ctx, input);
  return { output, note: ctx.note };
}

function parseInput(method: string, raw: Buffer, resourceArn: string | undefined, url: URL): OperationInput {
  const input: OperationInput = { body: {} };
  if (resourceArn !== undefined) input.resourceArn = resourceArn;
  if (method === "DELETE") {
    input.tagKeys = url.searchParams.getAll("tagKeys");
    return input;
  }
  if (method !== "POST" || raw.length === 0) return input;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString("utf8"));
  } catch {
    throw errors.validation("The request body is not valid JSON", undefined, "cannotParse");
  }
  if (!isPlainObject(parsed))
    throw errors.validation("The request body must be a JSON object", undefined, "cannotParse");
  input.body = parsed;
  return input;
}
