import { DrsError, type DrsErrorKind } from "@drso/core";

const BY_NAME: Record<string, DrsErrorKind> = {
  ThrottlingException: "throttled",
  InternalServerException: "unavailable",
  ConflictException: "conflict",
  ServiceQuotaExceededException: "quota",
  ResourceNotFoundException: "not-found",
  ValidationException: "validation",
  AccessDeniedException: "access-denied",
  UninitializedAccountException: "uninitialized",
};

const BY_STATUS: Record<number, DrsErrorKind> = {
  400: "validation",
  402: "quota",
  403: "access-denied",
  404: "not-found",
  409: "conflict",
  429: "throttled",
};

const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ECONNABORTED",
]);

interface SdkLikeError {
  name?: string;
  message?: string;
  code?: string;
  resourceId?: string;
  quotaCode?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number };
}

/**
 * Translates anything the AWS SDK (or the network) throws into a DrsError, so that upper layers never see
 * SDK classes. Errors whose outcome is unknown (5xx, malformed responses, timeouts, resets) are ambiguous:
 * the call may have taken effect, which matters for StartRecovery.
 */
export function toDrsError(operation: string, error: unknown): DrsError {
  if (error instanceof DrsError) return error;
  const e = (typeof error === "object" && error !== null ? error : {}) as SdkLikeError;
  const message = e.message || String(error);
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  const extra: { resourceId?: string; quotaCode?: string } = {};
  if (typeof e.resourceId === "string") extra.resourceId = e.resourceId;
  if (typeof e.quotaCode === "string") extra.quotaCode = e.quotaCode;

  const named = e.name ? BY_NAME[e.name] : undefined;
  if (named) return new DrsError(operation, named, `${e.name}: ${message}`, extra);
  if (status !== undefined && status >= 500) {
    return new DrsError(operation, "unavailable", `DRS ${operation} failed with HTTP ${status}: ${message}`, {
      ambiguous: true,
    });
  }
  if (status !== undefined && BY_STATUS[status]) {
    return new DrsError(
      operation,
      BY_STATUS[status],
      `DRS ${operation} failed with HTTP ${status} (${e.name ?? "error"}): ${message}`,
      extra,
    );
  }
  if (error instanceof SyntaxError || error instanceof TypeError) {
    return new DrsError(
      operation,
      "unavailable",
      `DRS ${operation} returned an unreadable response: ${message}`,
      { ambiguous: true },
    );
  }
  if ((e.code && NETWORK_CODES.has(e.code)) || e.name === "TimeoutError" || e.name === "AbortError") {
    return new DrsError(
      operation,
      "unavailable",
      `DRS ${operation} did not complete: ${e.code ?? e.name}: ${message}`,
      {
        ambiguous: e.code !== "ECONNREFUSED" && e.code !== "ENOTFOUND",
      },
    );
  }
  return new DrsError(operation, "unknown", `DRS ${operation} failed: ${e.name ?? "Error"}: ${message}`, {
    retryable: false,
    ambiguous: true,
  });
}
