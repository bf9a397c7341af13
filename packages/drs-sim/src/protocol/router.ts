import { NOT_SIMULATED, OPERATIONS, type OperationDef } from "./operations.js";

export type RouteMatch =
  | { kind: "operation"; op: OperationDef; resourceArn?: string }
  | { kind: "notSimulated"; name: string }
  | { kind: "unknown"; reason: string }
  | { kind: "badArn"; reason: string };

/**
 * Maps method and path to an operation (spec §1.1, §2). Every operation is `POST /<Name>` except the tag
 * operations on `/tags/{resourceArn}`, whose single path segment is the percent-encoded ARN.
 */
export function route(method: string, pathname: string): RouteMatch {
  if (pathname.startsWith("/tags/")) {
    const raw = pathname.slice("/tags/".length);
    if (!raw || raw.includes("/"))
      return { kind: "unknown", reason: `No operation at ${method} ${pathname}` };
    let resourceArn: string;
    try {
      resourceArn = decodeURIComponent(raw);
    } catch {
      return { kind: "badArn", reason: "resourceArn is not valid percent-encoding" };
    }
    const name =
      method === "GET"
        ? "ListTagsForResource"
        : method === "POST"
          ? "TagResource"
          : method === "DELETE"
            ? "UntagResource"
            : undefined;
    if (!name) return { kind: "unknown", reason: `No operation at ${method} ${pathname}` };
    return { kind: "operation", op: OPERATIONS[name], resourceArn };
  }
  const name = pathname.slice(1);
  if (!/^[A-Za-z]+$/.test(name)) return { kind: "unknown", reason: `No operation at ${method} ${pathname}` };
  const op = (OPERATIONS as Record<string, OperationDef | undefined>)[name];
  if (
    op &&
    op.method === method &&
    name !== "TagResource" &&
    name !== "UntagResource" &&
    name !== "ListTagsForResource"
  ) {
    return { kind: "operation", op };
  }
  if (NOT_SIMULATED[name] === method) return { kind: "notSimulated", name };
  return { kind: "unknown", reason: `No operation at ${method} ${pathname}` };
}
