import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiClient } from "../support/api-client.js";
import { ROOT } from "../support/processes.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

/**
 * Every bound the API description states for a request (maxLength, maxItems, minimum/maximum: the ones the
 * OWASP lint asks for) is enforced: one value past it is answered 400 VALIDATION_FAILED with an `errors[]`
 * entry naming the field, over real HTTP. The cases are read from the committed document, so a bound added
 * to the document is tested with no change here.
 */
type Schema = {
  type?: string | string[];
  $ref?: string;
  maxLength?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, Schema>;
  items?: Schema;
};
interface Parameter {
  name: string;
  in: "path" | "query" | "header";
  required?: boolean;
  schema: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  security?: unknown[];
}

const doc = JSON.parse(readFileSync(join(ROOT, "packages/api/openapi.json"), "utf8")) as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};
const deref = (s: Schema): Schema =>
  s.$ref ? deref(doc.components.schemas[s.$ref.replace("#/components/schemas/", "")]!) : s;
const isType = (s: Schema, type: string) =>
  s.type === type || (Array.isArray(s.type) && s.type.includes(type));

/** A valid value for each path parameter and required query parameter, so that only the tested one is wrong. */
const VALID: Record<string, () => string> = {
  id: () => randomUUID(),
  accountId: () => "111122223333",
  instanceId: () => "i-0123456789abcdef0",
  jobId: () => `drsjob-${"a".repeat(17)}`,
  region: () => "us-east-1",
  waveId: () => "wave-1",
};

/** Values just past a schema's bounds (strings one character too long, integers one past either end). */
function pastBounds(schema: Schema): Array<{ label: string; value: string | number }> {
  const out: Array<{ label: string; value: string | number }> = [];
  if (isType(schema, "string") && typeof schema.maxLength === "number")
    out.push({ label: `maxLength ${schema.maxLength} + 1`, value: "a".repeat(schema.maxLength + 1) });
  if (isType(schema, "integer")) {
    if (typeof schema.maximum === "number")
      out.push({ label: `maximum ${schema.maximum} + 1`, value: schema.maximum + 1 });
    if (typeof schema.minimum === "number")
      out.push({ label: `minimum ${schema.minimum} - 1`, value: schema.minimum - 1 });
  }
  return out;
}

interface Case {
  title: string;
  method: string;
  path: string;
  body?: unknown;
  field: string;
}

function parameterCases(): Case[] {
  const cases: Case[] = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!op.security?.length) continue; // the public routes take no parameters
      const params = op.parameters ?? [];
      for (const param of params) {
        if (param.in === "header") continue;
        for (const past of pastBounds(param.schema)) {
          let path = template;
          const query = new URLSearchParams();
          for (const other of params) {
            if (other === param) continue;
            if (other.in === "path" || other.required) {
              const valid = VALID[other.name];
              if (!valid)
                throw new Error(`no valid value for parameter ${other.name} of ${method} ${template}`);
              if (other.in === "path") path = path.replace(`{${other.name}}`, valid());
              else query.set(other.name, valid());
            }
          }
          if (param.in === "path")
            path = path.replace(`{${param.name}}`, encodeURIComponent(String(past.value)));
          else query.set(param.name, String(past.value));
          const qs = query.toString();
          cases.push({
            title: `${method.toUpperCase()} ${template} ${param.in} ${param.name}: ${past.label}`,
            method: method.toUpperCase(),
            path: qs ? `${path}?${qs}` : path,
            ...(op.requestBody ? { body: {} } : {}),
            field: param.name,
          });
        }
      }
    }
  }
  return cases;
}

/** Top-level fields of each JSON request body: a string one character too long, an integer past its range. */
function bodyCases(): Case[] {
  const cases: Case[] = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const schema = op.requestBody?.content["application/json"]?.schema;
      if (!schema) continue;
      const body = deref(schema);
      let path = template;
      for (const param of op.parameters ?? []) {
        if (param.in === "path") path = path.replace(`{${param.name}}`, VALID[param.name]!());
      }
      for (const [name, property] of Object.entries(body.properties ?? {})) {
        for (const past of pastBounds(deref(property))) {
          cases.push({
            title: `${method.toUpperCase()} ${template} body ${name}: ${past.label}`,
            method: method.toUpperCase(),
            path,
            body: { [name]: past.value },
            field: name,
          });
        }
      }
    }
  }
  return cases;
}

describe("request bounds from the API description are enforced (400 VALIDATION_FAILED)", () => {
  let t: TestServer;
  let api: ApiClient;
  beforeAll(async () => {
    t = await startTestServer({ DRSO_ENGINE: "off" });
    api = t.admin;
  }, 120_000);
  afterAll(async () => t?.close());

  async function expectRejected(c: Case) {
    const response = await api.call<{ code?: string; errors?: Array<{ path: string }> }>(
      c.method,
      c.path,
      c.body,
    );
    expect(response.status, `${c.title}: ${JSON.stringify(response.body)}`).toBe(400);
    expect(response.body.code, c.title).toBe("VALIDATION_FAILED");
    const paths = (response.body.errors ?? []).map((e) => e.path);
    expect(
      paths.some((p) => p === c.field || p.endsWith(`.${c.field}`)),
      `${c.title}: errors at ${paths.join(", ")}`,
    ).toBe(true);
  }

  it("the document states bounds on parameters and bodies (so the cases below are not empty)", () => {
    expect(parameterCases().length).toBeGreaterThan(80);
    expect(bodyCases().length).toBeGreaterThan(30);
  });

  it("answers one value past a parameter's bound with 400 naming the parameter", {
    timeout: 120_000,
  }, async () => {
    for (const c of parameterCases()) await expectRejected(c);
  });

  it("answers one value past a body field's bound with 400 naming the field", {
    timeout: 120_000,
  }, async () => {
    for (const c of bodyCases()) await expectRejected(c);
  });

  // The event and job-log cursors had a minimum and no maximum: any integer was accepted.
  it("refuses an event or job-log cursor beyond int32", async () => {
    const id = randomUUID();
    for (const path of [
      `/executions/${id}/events?afterSeq=2147483648`,
      `/executions/${id}/events/stream?afterSeq=2147483648`,
      `/executions/${id}/job-logs?afterIndex=2147483648`,
    ]) {
      await expectRejected({
        title: path,
        method: "GET",
        path,
        field: path.includes("afterSeq") ? "afterSeq" : "afterIndex",
      });
    }
  });
});
