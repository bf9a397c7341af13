/**
 * The error hierarchy. Every error that can reach a client has a stable `code` and an HTTP `status`;
 * the API maps them to application/problem+json in one place. Engine effects additionally distinguish
 * terminal failures from retryable ones.
 */
export interface FieldIssue {
  path: string;
  message: string;
}

export abstract class AppError extends Error {
  abstract readonly status: number;
  readonly code: string;
  readonly extra: Record<string, unknown>;

  constructor(code: string, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.extra = extra;
  }
}

export class ValidationError extends AppError {
  readonly status = 400;
  readonly issues: FieldIssue[];
  constructor(
    message: string,
    issues: FieldIssue[] = [],
    code = "VALIDATION_FAILED",
    extra: Record<string, unknown> = {},
  ) {
    super(code, message, { ...extra, errors: issues });
    this.issues = issues;
  }
}

export class UnauthenticatedError extends AppError {
  readonly status = 401;
  constructor(message = "Authentication is required.", code = "UNAUTHENTICATED") {
    super(code, message);
  }
}

export class ForbiddenError extends AppError {
  readonly status = 403;
  constructor(message: string, extra: Record<string, unknown> = {}, code = "FORBIDDEN") {
    super(code, message, extra);
  }
}

export class NotFoundError extends AppError {
  readonly status = 404;
  constructor(
    resourceType: string,
    resourceId: string,
    code = `${resourceType.toUpperCase().replace(/[^A-Z]+/g, "_")}_NOT_FOUND`,
  ) {
    super(code, `${humanize(resourceType)} '${resourceId}' was not found.`, { resourceType, resourceId });
  }
}

export class ConflictError extends AppError {
  readonly status = 409;
}

export class PreconditionFailedError extends AppError {
  readonly status = 412;
  constructor(message: string, extra: Record<string, unknown> = {}) {
    super("VERSION_MISMATCH", message, extra);
  }
}

export class PayloadTooLargeError extends AppError {
  readonly status = 413;
  constructor(limitBytes: number) {
    super("PAYLOAD_TOO_LARGE", `The request body exceeds ${limitBytes} bytes.`, { limitBytes });
  }
}

export class TooManyRequestsError extends AppError {
  readonly status = 429;
  constructor(message: string, retryAfterSeconds: number, code = "RATE_LIMITED") {
    super(code, message, { retryAfterSeconds });
  }
}

/** A dependency (DRS, STS, a webhook target) failed; not the caller's fault. */
export class UpstreamError extends AppError {
  readonly status: number;
  constructor(code: string, message: string, status = 502, extra: Record<string, unknown> = {}) {
    super(code, message, extra);
    this.status = status;
  }
}

/** Engine effects: a failure that will not go away by retrying (bad input, missing resource, denied). */
export class TerminalError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "TerminalError";
    this.code = code;
  }
}

/** Engine effects: a failure worth retrying later (throttling, 5xx, network). */
export class RetryableError extends Error {
  readonly code: string;
  readonly retryAfterMs: number | undefined;
  constructor(code: string, message: string, retryAfterMs?: number) {
    super(message);
    this.name = "RetryableError";
    this.code = code;
    this.retryAfterMs = retryAfterMs;
  }
}

function humanize(resourceType: string): string {
  const spaced = resourceType
    .replace(/[-_]+/g, " ")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}
