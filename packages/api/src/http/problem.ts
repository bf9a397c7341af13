import { AppError, PreconditionFailedError, ValidationError } from "@drso/core";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";

/** RFC 9457 problem details with our stable `code`. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  instance?: string;
  requestId?: string;
  [extra: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  412: "Precondition Failed",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

export function problemBody(
  status: number,
  code: string,
  detail: string,
  extra: Record<string, unknown> = {},
  requestId?: string,
): Problem {
  return {
    type: `https://drs-orchestrator.dev/problems/${code.toLowerCase().replace(/_/g, "-")}`,
    title: TITLES[status] ?? "Error",
    status,
    code,
    detail,
    ...extra,
    ...(requestId ? { requestId } : {}),
  };
}

export function problemResponse(
  c: Context,
  status: number,
  code: string,
  detail: string,
  extra: Record<string, unknown> = {},
): Response {
  const requestId = c.get("requestId") as string | undefined;
  const body = problemBody(status, code, detail, extra, requestId);
  const headers: Record<string, string> = { "content-type": "application/problem+json" };
  const retryAfter = extra.retryAfterSeconds;
  if (typeof retryAfter === "number") headers["retry-after"] = String(Math.max(1, Math.ceil(retryAfter)));
  return c.body(JSON.stringify(body), status as ContentfulStatusCode, headers);
}

export function zodIssues(error: ZodError, prefix = ""): Array<{ path: string; message: string }> {
  return error.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter((p) => p !== "").join("."),
    message:
      i.code === "unrecognized_keys"
        ? `unknown field(s): ${(i as { keys?: string[] }).keys?.join(", ")}`
        : i.message,
  }));
}

/** The one place where errors become HTTP responses. Unknown errors are 500 and logged, never leaked. */
export function errorToResponse(
  c: Context,
  error: unknown,
  log: (message: string, error: unknown) => void,
): Response {
  if (error instanceof AppError) {
    if (error instanceof ValidationError)
      return problemResponse(c, 400, error.code, error.message, error.extra);
    if (error instanceof PreconditionFailedError)
      return problemResponse(c, 412, error.code, error.message, error.extra);
    return problemResponse(c, error.status, error.code, error.message, error.extra);
  }
  if (error instanceof HTTPException) {
    if (error.status === 400 && /json/i.test(error.message)) {
      return problemResponse(c, 400, "MALFORMED_JSON", "The request body is not valid JSON.");
    }
    if (error.status === 413)
      return problemResponse(c, 413, "PAYLOAD_TOO_LARGE", "The request body is too large.");
    if (error.status < 500)
      return problemResponse(c, error.status, "BAD_REQUEST", error.message || "The request is not valid.");
  }
  log("unhandled error", error);
  return problemResponse(
    c,
    500,
    "INTERNAL",
    "An unexpected error occurred; it has been logged with the request ID.",
  );
}
