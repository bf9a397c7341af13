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
  408: "Request Timeout",
  409: "Conflict",
  412: "Precondition Failed",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
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
  // The RFC 9457 members come last: an error's extra fields (e.g. a resource's own `status`) never replace them.
  return {
    ...extra,
    type: `https://drs-orchestrator.dev/problems/${code.toLowerCase().replace(/_/g, "-")}`,
    title: TITLES[status] ?? "Error",
    status,
    code,
    detail,
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

/**
 * The whole HTTP/1.1 response for a request that the Node HTTP parser refused before the app saw it (a bare
 * CR or LF in a header, headers over the size limit, bytes a request line cannot hold, a request that took
 * too long): still problem+json with a code and an x-request-id, like every other error. `parserCode` is
 * Node's error code (`HPE_HEADER_OVERFLOW`, `ERR_HTTP_REQUEST_TIMEOUT`, ...).
 */
export function malformedRequestResponse(parserCode: string | undefined, requestId: string): string {
  const [status, code, detail] =
    parserCode === "HPE_HEADER_OVERFLOW"
      ? [431, "HEADERS_TOO_LARGE", "The request headers are too large."]
      : parserCode === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "REQUEST_TIMEOUT", "The request was not received in time."]
        : [400, "MALFORMED_REQUEST", "The request is not valid HTTP."];
  const body = JSON.stringify(problemBody(status, code, detail, {}, requestId));
  return [
    `HTTP/1.1 ${status} ${TITLES[status]}`,
    "Content-Type: application/problem+json",
    `Content-Length: ${new TextEncoder().encode(body).length}`,
    `X-Request-Id: ${requestId}`,
    "Connection: close",
    "",
    body,
  ].join("\r\n");
}

/**
 * The Response for a request the Node adapter could not turn into a Request (a backslash in the path, a Host
 * header that does not parse): problem+json like every other error rather than the adapter's empty 400.
 */
export function unparsableRequestResponse(requestId: string): Response {
  const body = problemBody(
    400,
    "MALFORMED_REQUEST",
    "The request URL or Host header is not valid.",
    {},
    requestId,
  );
  return new Response(JSON.stringify(body), {
    status: 400,
    headers: { "content-type": "application/problem+json", "x-request-id": requestId },
  });
}
