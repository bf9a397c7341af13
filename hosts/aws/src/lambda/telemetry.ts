import type { Logger } from "@aws-lambda-powertools/logger";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Tracer } from "@aws-lambda-powertools/tracer";
import type { Context } from "aws-lambda";

/**
 * What the handlers need from logging and metrics. In Lambda it is backed by Powertools (structured JSON logs,
 * CloudWatch EMF metrics, X-Ray); tests pass {@link silentTelemetry} or a recording one.
 */
export interface Telemetry {
  debug(message: string, detail?: Record<string, unknown>): void;
  info(message: string, detail?: Record<string, unknown>): void;
  warn(message: string, detail?: Record<string, unknown>): void;
  error(message: string, detail?: unknown): void;
  /** A count metric (unit Count), e.g. `StepRounds`, `SignalsSent`. */
  count(metric: string, value?: number): void;
}

export const silentTelemetry: Telemetry = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  count() {},
};

export interface Powertools {
  logger: Logger;
  metrics: Metrics;
  tracer: Tracer;
}

function asExtra(detail: unknown): Record<string, unknown> {
  if (detail instanceof Error)
    return { error: { name: detail.name, message: detail.message, stack: detail.stack } };
  if (detail && typeof detail === "object") return detail as Record<string, unknown>;
  return detail === undefined ? {} : { detail };
}

export function powertoolsTelemetry(tools: Powertools): Telemetry {
  const { logger, metrics } = tools;
  return {
    debug: (message, detail) => logger.debug(message, asExtra(detail)),
    info: (message, detail) => logger.info(message, asExtra(detail)),
    warn: (message, detail) => logger.warn(message, asExtra(detail)),
    error: (message, detail) => logger.error(message, asExtra(detail)),
    count: (metric, value = 1) => {
      metrics.addMetric(metric, MetricUnit.Count, value);
    },
  };
}

/**
 * Wraps a handler the way Powertools' middy middlewares would (no middy dependency): Lambda context in every
 * log line, a cold-start metric, metrics flushed after every invocation, and a `## handler` X-Ray subsegment
 * with the cold start annotated and errors attached.
 */
export function instrument<E, R>(
  tools: Powertools,
  name: string,
  handler: (event: E, context: Context) => Promise<R>,
): (event: E, context: Context) => Promise<R> {
  const { logger, metrics, tracer } = tools;
  return async (event, context) => {
    logger.addContext(context);
    metrics.captureColdStartMetric();
    const segment = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
    const subsegment = segment?.addNewSubsegment(`## ${name}`);
    if (subsegment) {
      tracer.setSegment(subsegment);
      tracer.annotateColdStart();
      tracer.addServiceNameAnnotation();
    }
    try {
      return await handler(event, context);
    } catch (error) {
      if (subsegment) tracer.addErrorAsMetadata(error as Error);
      logger.error(`${name} failed`, asExtra(error));
      throw error;
    } finally {
      if (subsegment && segment) {
        subsegment.close();
        tracer.setSegment(segment);
      }
      metrics.publishStoredMetrics();
      logger.resetKeys();
    }
  };
}
