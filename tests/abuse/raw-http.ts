import { connect } from "node:net";

/** One request exactly as written: no client-side normalisation of the path, no header validation. */
export interface RawRequest {
  method: string;
  /** The request target as sent on the request line (already encoded as the test wants it). */
  target: string;
  /** Header lines as [name, value] pairs; duplicates and odd bytes are sent as given. */
  headers: Array<[string, string]>;
  body?: Buffer | string;
}

export interface RawResponse {
  status: number;
  /** Lower-cased header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
  /** The response came from Node's HTTP parser (malformed request), not from the application. */
  raw: string;
}

function decodeChunked(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = data.indexOf("\r\n", offset);
    if (lineEnd < 0) break;
    const size = Number.parseInt(data.subarray(offset, lineEnd).toString("latin1"), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/**
 * Whether `data` holds a whole response. The connection is kept alive (as real clients do) and closed by the
 * client once the response is in: a server that answers before reading the body (401, 415…) and then closes
 * with unread data in its socket would make the kernel reset the connection, and the reset can overtake the
 * response it just sent.
 */
function responseComplete(data: Buffer): boolean {
  const headEnd = data.indexOf("\r\n\r\n");
  if (headEnd < 0) return false;
  const head = data.subarray(0, headEnd).toString("latin1");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
  // A stream (server-sent events) never ends by itself: its head is the answer.
  if (/\r\ncontent-type:\s*text\/event-stream/i.test(head)) return true;
  if (status === 204 || status === 304 || (status >= 100 && status < 200)) return true;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length) return data.length - (headEnd + 4) >= Number(length[1]);
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) return data.includes("\r\n0\r\n\r\n", headEnd);
  return false;
}

/** Sends one HTTP/1.1 request over a fresh loopback connection and reads the whole response. */
export function rawRequest(port: number, request: RawRequest, timeoutMs = 20_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(`no response to ${request.method} ${request.target.slice(0, 200)} in ${timeoutMs} ms`),
      );
    }, timeoutMs);
    socket.on("data", (chunk) => {
      chunks.push(chunk);
      if (responseComplete(Buffer.concat(chunks))) socket.destroy();
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      // The server may answer and close before it has read a large body: keep what it sent.
      if ((error.code === "ECONNRESET" || error.code === "EPIPE") && chunks.length > 0) return;
      clearTimeout(timer);
      reject(error);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      const data = Buffer.concat(chunks);
      const headEnd = data.indexOf("\r\n\r\n");
      if (headEnd < 0) {
        reject(new Error(`incomplete response to ${request.method} ${request.target.slice(0, 200)}`));
        return;
      }
      const head = data.subarray(0, headEnd).toString("latin1");
      const [statusLine = "", ...lines] = head.split("\r\n");
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(":");
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
      }
      let body: Buffer = data.subarray(headEnd + 4);
      if (/chunked/i.test(headers["transfer-encoding"] ?? "")) body = decodeChunked(body);
      else if (headers["content-length"] !== undefined)
        body = body.subarray(0, Number(headers["content-length"]));
      resolve({ status, headers, body: body.toString("utf8"), raw: head });
    });
    socket.on("connect", () => {
      const body: Buffer | undefined =
        request.body === undefined
          ? undefined
          : typeof request.body === "string"
            ? Buffer.from(request.body, "utf8")
            : request.body;
      const lines = [`${request.method} ${request.target} HTTP/1.1`, `Host: 127.0.0.1:${port}`];
      const names = new Set(request.headers.map(([n]) => n.toLowerCase()));
      for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
      if (body !== undefined && !names.has("content-length") && !names.has("transfer-encoding"))
        lines.push(`Content-Length: ${body.length}`);
      const headBytes = Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "utf8");
      socket.write(body ? Buffer.concat([headBytes, body as Uint8Array]) : headBytes);
    });
  });
}
