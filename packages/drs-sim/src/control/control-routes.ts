import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody, sendJson } from "../protocol/http-io.js";
import type { SimulatorRuntime } from "../runtime.js";
import { ControlError } from "./control-types.js";
import type { RequestLogFilter } from "./request-log.js";

type Json = Record<string, unknown>;

function parseJson(raw: Buffer): Json {
  if (raw.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString("utf8"));
  } catch {
    throw new ControlError(400, "body is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ControlError(400, "body must be a JSON object");
  }
  return parsed as Json;
}

function requestFilter(url: URL): RequestLogFilter {
  const q = url.searchParams;
  const filter: RequestLogFilter = {};
  const op = q.get("op");
  if (op) filter.op = op;
  const account = q.get("account");
  if (account) filter.account = account;
  const region = q.get("region");
  if (region) filter.region = region;
  const since = q.get("since");
  if (since) filter.since = /^\d+$/.test(since) ? Number(since) : since;
  const status = q.get("status");
  if (status && /^\d+$/.test(status)) filter.status = Number(status);
  const errorType = q.get("errorType");
  if (errorType) filter.errorType = errorType;
  const invocationId = q.get("invocationId");
  if (invocationId) filter.invocationId = invocationId;
  const limit = q.get("limit");
  if (limit && /^\d+$/.test(limit)) filter.limit = Number(limit);
  return filter;
}

/**
 * `/__sim/*`: the control plane of spec §12 over HTTP (unsigned JSON). Each route calls the same method of
 * the in-process `SimControl`.
 */
export async function handleControlRequest(
  runtime: SimulatorRuntime,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const method = req.method ?? "GET";
  const path = url.pathname.replace(/\/+$/, "");
  try {
    const raw = await readBody(req, 64 * 1024 * 1024);
    if (raw.kind !== "ok") throw new ControlError(400, "body too large or aborted");
    const body = method === "POST" ? parseJson(raw.body) : {};
    const result = dispatch(runtime, method, path, body, url);
    const value = result instanceof Promise ? await result : result;
    sendJson(res, 200, value ?? { ok: true }, {});
  } catch (error) {
    if (error instanceof ControlError) {
      sendJson(res, error.status, { error: error.message }, {});
      return;
    }
    console.error("drs-sim: control request failed", error);
    sendJson(res, 500, { error: (error as Error).message ?? "control request failed" }, {});
  }
}

function decode(segment: string | undefined): string {
  try {
    return decodeURIComponent(segment ?? "");
  } catch {
    throw new ControlError(400, "bad percent-encoding in path");
  }
}

function dispatch(runtime: SimulatorRuntime, method: string, path: string, body: Json, url: URL): unknown {
  const route = `${method} ${path}`;
  switch (route) {
    case "GET /__sim/health":
      return { ok: true, now: runtime.clockInfo().iso };
    case "POST /__sim/reset":
      runtime.reset(body as Parameters<SimulatorRuntime["reset"]>[0]);
      return { ok: true, seed: runtime.currentSeed };
    case "GET /__sim/config":
      return runtime.getConfig();
    case "POST /__sim/config":
      return runtime.setConfig(body);
    case "POST /__sim/source-servers":
      return runtime.seedSourceServers(
        body as unknown as Parameters<SimulatorRuntime["seedSourceServers"]>[0],
      );
    case "POST /__sim/regions":
      runtime.setRegion(body as unknown as Parameters<SimulatorRuntime["setRegion"]>[0]);
      return { ok: true };
    case "GET /__sim/clock":
      return runtime.clockInfo();
    case "POST /__sim/clock":
      return runtime.clock(body);
    case "GET /__sim/state":
      return runtime.state();
    case "GET /__sim/requests":
      return { requests: runtime.requests(requestFilter(url)) };
    case "DELETE /__sim/requests":
      runtime.clearRequests();
      return { ok: true };
    case "POST /__sim/save":
      return runtime.save().then(() => ({ ok: true }));
  }
  const serverState = /^\/__sim\/source-servers\/([^/]+)\/state$/.exec(path);
  if (serverState && method === "POST") {
    return runtime.setSourceServerState(
      decode(serverState[1]),
      body as unknown as Parameters<SimulatorRuntime["setSourceServerState"]>[1],
    );
  }
  const failback = /^\/__sim\/recovery-instances\/([^/]+)\/failback$/.exec(path);
  if (failback && method === "POST") {
    return runtime.driveFailback(
      decode(failback[1]),
      body as unknown as Parameters<SimulatorRuntime["driveFailback"]>[1],
    );
  }
  const ec2 = /^\/__sim\/recovery-instances\/([^/]+)\/ec2-state$/.exec(path);
  if (ec2 && method === "POST") {
    return runtime.setInstanceState(decode(ec2[1]), body.state as never);
  }
  throw new ControlError(404, `no control route ${method} ${path}`);
}
