import { DrsError } from "../model/drs-error.js";
import type { SeededStream } from "../model/seeded-stream.js";
import { sampleDuration } from "../model/timing.js";
import { protocolKnob, type SimConfig } from "./sim-config.js";

export type FaultDecision =
  | { kind: "none" }
  | { kind: "error"; error: DrsError; fault: string }
  | { kind: "raw"; status: number; contentType?: string; body: string; fault: string }
  | { kind: "hang" }
  | { kind: "reset" };

export interface FaultScope {
  operation: string;
  accountId: string;
  region: string;
  now: number;
  /** Clock time the simulator started at (origin of `throttleWindows`). */
  epochMs: number;
}

const BAD_GATEWAY_HTML =
  "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n";

/**
 * Protocol and availability faults of spec §11, decided per request from their own seeded stream (so
 * injecting faults does not change IDs or timings). Token buckets run on the simulator clock.
 */
export class ProtocolFaults {
  private buckets = new Map<string, { tokens: number; lastMs: number }>();

  constructor(private readonly stream: SeededStream) {}

  reset(): void {
    this.buckets.clear();
  }

  /** Decided before the operation runs: no side effect has happened when one of these fires. */
  before(config: SimConfig, scope: FaultScope): FaultDecision {
    const op = scope.operation;
    if (config.accessDenied[op] || config.accessDenied["*"]) {
      return {
        kind: "error",
        fault: "accessDenied",
        error: new DrsError("AccessDeniedException", `User is not authorized to perform: drs:${op}`),
      };
    }
    if (this.throttled(config, scope)) {
      return {
        kind: "error",
        fault: "throttle",
        error: new DrsError("ThrottlingException", "Rate exceeded", {
          serviceCode: "drs",
          ...(config.throttleRetryAfter !== null ? { retryAfterSeconds: config.throttleRetryAfter } : {}),
        }),
      };
    }
    if (this.stream.chance(protocolKnob(config, op, "hangProbability", scope.accountId)))
      return { kind: "hang" };
    if (
      protocolKnob(config, op, "connectionResetPhase", scope.accountId) === "before" &&
      this.stream.chance(protocolKnob(config, op, "connectionResetProbability", scope.accountId))
    ) {
      return { kind: "reset" };
    }
    if (this.stream.chance(protocolKnob(config, op, "internalErrorProbability", scope.accountId))) {
      return {
        kind: "error",
        fault: "internalError",
        error: new DrsError(
          "InternalServerException",
          "An internal error occurred (injected by the simulator)",
          {
            ...(config.retryAfter !== null ? { retryAfterSeconds: config.retryAfter } : {}),
          },
        ),
      };
    }
    if (this.stream.chance(protocolKnob(config, op, "serviceUnavailableProbability", scope.accountId))) {
      return { kind: "raw", status: 503, body: "", fault: "serviceUnavailable" };
    }
    if (this.stream.chance(protocolKnob(config, op, "badGatewayHtmlProbability", scope.accountId))) {
      return {
        kind: "raw",
        status: 502,
        contentType: "text/html",
        body: BAD_GATEWAY_HTML,
        fault: "badGateway",
      };
    }
    return { kind: "none" };
  }

  /** Decided after the operation ran: the effect happened but the response is lost or garbled. */
  after(config: SimConfig, operation: string): "malformedJson" | "reset" | undefined {
    if (
      protocolKnob(config, operation, "connectionResetPhase") === "after" &&
      this.stream.chance(protocolKnob(config, operation, "connectionResetProbability"))
    ) {
      return "reset";
    }
    if (this.stream.chance(protocolKnob(config, operation, "malformedJsonProbability")))
      return "malformedJson";
    return undefined;
  }

  /** Added latency in real milliseconds (0 when the knob is off). */
  latencyMs(config: SimConfig, operation: string, accountId?: string): number {
    const latency = protocolKnob(config, operation, "latencyMs", accountId);
    if (!latency || latency.median <= 0) return 0;
    return sampleDuration(
      { dist: "lognormal", medianMs: latency.median, p95Ms: latency.p95 },
      this.stream,
      1,
    );
  }

  private throttled(config: SimConfig, scope: FaultScope): boolean {
    const elapsed = scope.now - scope.epochMs;
    if (config.throttleWindows.some((w) => elapsed >= w.startMs && elapsed < w.endMs)) return true;
    if (this.stream.chance(protocolKnob(config, scope.operation, "throttleProbability", scope.accountId)))
      return true;
    const specific = config.throttle[scope.operation];
    const bucketSpec = specific ?? config.throttle["*"];
    if (!bucketSpec) return false;
    const key = `${scope.accountId}/${scope.region}/${specific ? scope.operation : "*"}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: bucketSpec.burst, lastMs: scope.now };
      this.buckets.set(key, bucket);
    }
    const refill = (Math.max(0, scope.now - bucket.lastMs) / 1000) * bucketSpec.ratePerSec;
    bucket.tokens = Math.min(bucketSpec.burst, bucket.tokens + refill);
    bucket.lastMs = scope.now;
    if (bucket.tokens < 1) return true;
    bucket.tokens -= 1;
    return false;
  }
}
