import type { IncomingMessage, ServerResponse } from "node:http";
import type { DrsError } from "../model/drs-error.js";

/** Bodies beyond this are not even drained: the connection is dropped. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

export type BodyResult = { kind: "ok"; body: Buffer } | { kind: "tooLarge" } | { kind: "aborted" };

/** Reads a request body, keeping at most `limit` bytes (the rest is drained so a 400 can still be sent). */
export async function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > DRAIN_LIMIT) {
    req.resume();
    return { kind: "tooLarge" };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = declared > limit;
  try {
    for await (const chunk of req) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > limit) tooLarge = true;
      if (!tooLarge) chunks.push(buffer);
      if (size > DRAIN_LIMIT) {
        req.destroy();
        return { kind: "aborted" };
      }
    }
  } catch {
    return { kind: "aborted" };
  }
  return tooLarge ? { kind: "tooLarge" } : { kind: "ok", body: Buffer.concat(chunks) };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string | number>,
): void {
  if (res.headersSent || res.destroyed) return;
  if (status === 204 || body === undefined) {
    res.writeHead(status, { ...headers, "content-length": 0 });
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendRaw(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string | number>,
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { ...headers, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function screamingSnake(name: string): string {
  return name
    .replace(/Exception$/, "")
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .toUpperCase();
}

/**
 * A restJson1 error (spec §1.3): `x-amzn-errortype` carries the exception name (the SDK reads it before the
 * body's `code`), the body carries message, code and the exception's members, and `Retry-After` carries
 * `retryAfterSeconds`. With `errorWithoutHeader` the header is left out and `code` is a reason-like string,
 * so the SDK throws an untyped DrsServiceException.
 */
export function sendError(
  res: ServerResponse,
  error: DrsError,
  requestId: string,
  options: { withoutHeader: boolean },
): void {
  const { retryAfterSeconds, ...members } = error.fields;
  const headers: Record<string, string | number> = { "x-amzn-requestid": requestId };
  if (!options.withoutHeader) headers["x-amzn-errortype"] = error.exception;
  if (retryAfterSeconds !== undefined) headers["retry-after"] = String(Math.trunc(retryAfterSeconds));
  const body = {
    message: error.message,
    code: options.withoutHeader ? screamingSnake(error.exception) : error.exception,
    ...members,
  };
  sendJson(res, error.status, body, headers);
}
