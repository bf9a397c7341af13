import { describe, expect, it } from "vitest";
import { malformedRequestResponse, problemBody, unparsableRequestResponse } from "./problem.js";

describe("problem+json", () => {
  // Found by the abuse fuzzer: an execution conflict carried the execution's own `status: "PENDING"` in its
  // extra fields, which replaced the problem's numeric status.
  it("keeps the RFC 9457 members when an error's extra fields use the same names", () => {
    const body = problemBody(
      409,
      "INVALID_STATE",
      "no",
      { status: "PENDING", code: "X", executionId: "e" },
      "r",
    );
    expect(body).toMatchObject({
      status: 409,
      code: "INVALID_STATE",
      detail: "no",
      executionId: "e",
      requestId: "r",
    });
  });

  it("writes a complete problem+json response for requests the HTTP parser refused", () => {
    const overflow = malformedRequestResponse("HPE_HEADER_OVERFLOW", "req-1");
    expect(overflow).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(overflow).toContain("Content-Type: application/problem+json\r\n");
    expect(overflow).toContain("X-Request-Id: req-1\r\n");
    const [head, body] = overflow.split("\r\n\r\n") as [string, string];
    expect(head).toContain(`Content-Length: ${Buffer.byteLength(body)}`);
    expect(JSON.parse(body)).toMatchObject({ status: 431, code: "HEADERS_TOO_LARGE", requestId: "req-1" });
    expect(malformedRequestResponse("HPE_INVALID_HEADER_TOKEN", "r")).toMatch(/^HTTP\/1\.1 400 Bad Request/);
  });

  it("answers a request the adapter cannot parse with problem+json", async () => {
    const response = unparsableRequestResponse("req-2");
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.headers.get("x-request-id")).toBe("req-2");
    expect(await response.json()).toMatchObject({ code: "MALFORMED_REQUEST", status: 400 });
  });
});
