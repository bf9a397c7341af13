import { readFileSync } from "node:fs";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { ROOT } from "../support/processes.js";

/**
 * The committed OpenAPI document as the fuzzer's oracle: every operation it lists is fuzzed, and whether a
 * request is valid is decided by the document's schemas (Ajv, JSON Schema 2020-12), not by the API's code.
 */
export type JsonSchema = Record<string, unknown>;

export interface Parameter {
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  /** `GET /protection-groups/{id}` */
  key: string;
  method: string;
  path: string;
  summary: string;
  publicAccess: boolean;
  pathParams: Parameter[];
  queryParams: Parameter[];
  body?: { schema: JsonSchema; required: boolean };
  /** The operation documents that it honours If-Match (its summary says so). */
  honoursIfMatch: boolean;
  mutating: boolean;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: { schemas: Record<string, JsonSchema> };
}

export function loadOpenApiDocument(): OpenApiDocument {
  return JSON.parse(readFileSync(`${ROOT}packages/api/openapi.json`, "utf8")) as OpenApiDocument;
}

export function operationsOf(doc: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const parameters = (op.parameters ?? []) as Parameter[];
      const requestBody = op.requestBody as
        | { required?: boolean; content?: Record<string, { schema: JsonSchema }> }
        | undefined;
      const bodySchema = requestBody?.content?.["application/json"]?.schema;
      const summary = String(op.summary ?? "");
      const upper = method.toUpperCase();
      operations.push({
        key: `${upper} ${path}`,
        method: upper,
        path,
        summary,
        // Public operations declare `security: []`; the others require the bearer token.
        publicAccess: !Array.isArray(op.security) || op.security.length === 0,
        pathParams: parameters.filter((p) => p.in === "path"),
        queryParams: parameters.filter((p) => p.in === "query"),
        ...(bodySchema ? { body: { schema: bodySchema, required: requestBody?.required === true } } : {}),
        honoursIfMatch: /If-Match/i.test(summary),
        mutating: upper !== "GET",
      });
    }
  }
  return operations;
}

/** Follows `$ref`s into `components.schemas`. */
export function deref(doc: OpenApiDocument, schema: JsonSchema): JsonSchema {
  let current = schema;
  for (let i = 0; i < 20 && typeof current.$ref === "string"; i++) {
    const name = (current.$ref as string).replace("#/components/schemas/", "");
    const target = doc.components.schemas[name];
    if (!target) throw new Error(`unresolved $ref ${String(current.$ref)}`);
    current = target;
  }
  return current;
}

export type Verdict = "valid" | "invalid" | "unknown";

/** Judges requests against the document. */
export function createOracle(doc: OpenApiDocument) {
  const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
  const addFormats = addFormatsModule as unknown as (a: Ajv2020) => void;
  addFormats(ajv);
  ajv.addSchema({ $id: "doc", components: doc.components } as never);
  const cache = new Map<string, ValidateFunction>();
  const rewrite = (schema: JsonSchema): JsonSchema =>
    JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"doc#/components/')) as JsonSchema;
  const compile = (schema: JsonSchema): ValidateFunction => {
    const text = JSON.stringify(schema);
    let fn = cache.get(text);
    if (!fn) {
      fn = ajv.compile(rewrite(schema));
      cache.set(text, fn);
    }
    return fn;
  };

  /** A query or path value (always a string on the wire) against its parameter schema. */
  function parameterVerdict(parameter: Parameter, value: string): Verdict {
    const schema = deref(doc, parameter.schema);
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (types.includes("integer") || types.includes("number")) {
      // Only canonical decimal numbers are judged; other spellings ("0x10", "1e1", " 5") are left open.
      if (!/^-?\d{1,15}$/.test(value)) return /^[\s\d.eE+x-]*$/.test(value) ? "unknown" : "invalid";
      return compile(schema)(Number(value)) ? "valid" : "invalid";
    }
    return compile(schema)(value) ? "valid" : "invalid";
  }

  function bodyVerdict(schema: JsonSchema, value: unknown): Verdict {
    return compile(schema)(value) ? "valid" : "invalid";
  }

  return { parameterVerdict, bodyVerdict };
}

export type Oracle = ReturnType<typeof createOracle>;
