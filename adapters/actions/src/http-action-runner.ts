import type { ActionContext, ActionProgress, ActionRunner, WaveAction } from "@drso/core";
import { type Lookup, refusedDestination } from "./destination-guard.js";
import { actionIdempotencyKey } from "./idempotency.js";

export interface HttpActionRunnerOptions {
  /** Per-request timeout. Default 10 s. */
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
  /** Hosts that may be called although they are (or resolve to) loopback, link-local or private addresses. */
  allowedHosts?: () => Promise<readonly string[]>;
  /** DNS resolution for the destination check (tests). */
  lookup?: Lookup;
}

/**
 * `http` wave actions: call a URL, expect a status. With `retryUntilHealthy` the engine keeps polling every
 * `intervalSeconds` until the status matches or the action's timeout expires (a health gate).
 */
export function createHttpActionRunner(options: HttpActionRunnerOptions = {}): ActionRunner {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.requestTimeoutMs ?? 10_000;

  async function call(
    action: Extract<WaveAction, { type: "http" }>,
    context: ActionContext,
  ): Promise<ActionProgress> {
    const expected = action.expectStatus;
    const accepts = (status: number) =>
      expected ? expected.includes(status) : status >= 200 && status < 300;
    const retry = (why: string): ActionProgress =>
      action.retryUntilHealthy
        ? { status: "RUNNING", checkAfterMs: (action.intervalSeconds ?? 15) * 1000, output: why }
        : { status: "FAILED", error: why };
    const refused = await refusedDestination(
      action.url,
      (await options.allowedHosts?.()) ?? [],
      options.lookup,
    ).catch((error: Error) => `refused: ${error.message}`);
    // Not retried, even for a health gate: the destination will not become allowed by waiting.
    if (refused) return { status: "FAILED", error: `${action.method ?? "GET"} ${action.url} ${refused}` };
    try {
      const response = await doFetch(action.url, {
        method: action.method ?? "GET",
        headers: {
          "user-agent": "drs-orchestrator-health-check",
          "x-drso-execution-id": context.executionId,
          "x-drso-wave-id": context.waveId,
          // The same on every attempt and after a restart: a target that honours it runs the call once.
          "idempotency-key": actionIdempotencyKey(context.executionId, context.actionId, context.rerun),
          ...(action.headers ?? {}),
        },
        ...(action.body !== undefined && action.method !== "GET" && action.method !== "HEAD"
          ? { body: action.body }
          : {}),
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = action.method === "HEAD" ? "" : (await response.text()).slice(0, 2048);
      const summary = `${action.method ?? "GET"} ${action.url} → HTTP ${response.status}${text ? `: ${text.replace(/\s+/g, " ").slice(0, 200)}` : ""}`;
      if (accepts(response.status)) return { status: "SUCCEEDED", output: summary };
      return retry(`${summary} (expected ${expected ? expected.join(", ") : "2xx"})`);
    } catch (error) {
      return retry(`${action.method ?? "GET"} ${action.url} failed: ${(error as Error).message}`);
    }
  }

  return {
    supports: (type) => type === "http",
    async start(action, context) {
      if (action.type !== "http")
        return { status: "FAILED", error: `the HTTP runner cannot run ${action.type} actions` };
      return call(action, context);
    },
    async poll(action, context) {
      if (action.type !== "http")
        return { status: "FAILED", error: `the HTTP runner cannot run ${action.type} actions` };
      return call(action, context);
    },
  };
}

/** Routes each action type to the first runner that supports it. */
export function combineActionRunners(...runners: ActionRunner[]): ActionRunner {
  const pick = (type: WaveAction["type"]) => runners.find((r) => r.supports(type));
  const combined: ActionRunner = {
    supports: (type) => pick(type) !== undefined,
    start: (action, context) =>
      pick(action.type)?.start(action, context) ??
      Promise.resolve({ status: "FAILED", error: `${action.type} is not supported` }),
    poll: (action, context, handle) =>
      pick(action.type)?.poll(action, context, handle) ??
      Promise.resolve({ status: "FAILED", error: `${action.type} is not supported` }),
  };
  const lookup = runners.find((r) => r.documentExists);
  if (lookup?.documentExists) combined.documentExists = lookup.documentExists.bind(lookup);
  return combined;
}

/** The settings' `httpActionAllowedHosts`, read on every call (a change applies to the next request). */
export function httpActionAllowedHosts(store: {
  settings: { get(): Promise<{ settings: { httpActionAllowedHosts?: readonly string[] } } | undefined> };
}): () => Promise<readonly string[]> {
  return async () => (await store.settings.get())?.settings.httpActionAllowedHosts ?? [];
}
