import fc from "fast-check";
import {
  deref,
  type JsonSchema,
  type OpenApiDocument,
  type Operation,
  type Oracle,
  type Verdict,
} from "./openapi-model.js";

/** Real identifiers the generator mixes in, so that some generated requests reach the handlers' happy path. */
export interface Fixtures {
  groupId(): string;
  planId(): string;
  executionId(): string;
  victimUserId(): string;
  sourceServerIds: string[];
  accountIds: string[];
  regions: string[];
}

/** A request before it is written to the wire; `verdicts` records what each mutation made of it. */
export interface FuzzRequest {
  op: Operation;
  pathValues: Record<string, { value: string; raw: boolean }>;
  query: Array<[string, string]>;
  /** Sent verbatim instead of `query` when set. */
  rawQuery?: string;
  headers: Array<[string, string]>;
  body?: { json: unknown } | { text: string } | { bytes: number[] };
  /** Content-Type of the body; null sends none. */
  contentType: string | null;
  /** Labels of the mutations applied (for failure messages). */
  mutations: string[];
  /** Verdicts that header-level mutations add (the document does not describe headers). */
  headerVerdicts: Verdict[];
}

export const HUGE_STRING = "x".repeat(100 * 1024);

export const UNICODE_EDGE_CASES: readonly string[] = [
  "\uD800",
  "\uDC00",
  "a\uD83Db",
  "\u202Egnp.exe",
  "abc\u202E\u202Ddef",
  "\u200B",
  "zero\u200Bwidth\u200D\uFEFF",
  "\uFEFFbom",
  "nul\u0000byte",
  "\u0000",
  "🙂",
  "👩‍👩‍👧‍👦",
  "🇺🇳🏳️‍🌈",
  "e\u0301\u0302\u0303\u0304\u0305",
  "Z̷̢̛̖a̸̡͉l̵̝̈g̶̣̈́ǫ̶̛",
  "line\u2028sep\u2029para",
  "next\u0085line",
  "tab\tnew\nline\rret",
  "ＡＢＣ１２３",
  "İıſK",
  "\u{10FFFF}\u{E0001}",
  "'; DROP TABLE protection_groups; --",
  "<script>alert(1)</script>",
  "$" + "{jndi:ldap://127.0.0.1/x}",
  "{{7*7}}",
  "%s%n%x",
  "__proto__",
  "constructor",
  " leading and trailing ",
];

export const ODD_IDS: readonly string[] = [
  "../../etc/passwd",
  "..%2f..%2fetc%2fpasswd",
  "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
  "..\\..\\windows\\win.ini",
  "%00",
  "\u0000",
  "00000000-0000-4000-8000-000000000000%00",
  "00000000-0000-4000-8000-000000000000\n",
  " 00000000-0000-4000-8000-000000000000",
  "00000000-0000-4000-8000-00000000000G",
  "00000000-0000-0000-0000-000000000000",
  "FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF",
  "x".repeat(5000),
  "🙂",
  "ＡＢＣ",
  "null",
  "undefined",
  "0",
  "-1",
  "1e309",
  "' OR '1'='1",
  "<script>",
  "%",
  "%zz",
  ".",
  "..",
  "~",
  "$(id)",
  "__proto__",
  "a/b",
  "?x=1",
  "#frag",
  "s-0000000000000000",
  "i-zzzzzzzz",
  "drsjob-",
  "1111222233334",
];

const loopbackUrl = fc.constantFrom(
  "http://127.0.0.1:9/hook",
  "https://127.0.0.1:9/health",
  "http://localhost:9/x",
);

/** Valid values of a schema, biased towards the fixtures' real identifiers. */
export function valueArbitrary(
  doc: OpenApiDocument,
  fixtures: Fixtures,
  input: JsonSchema,
  name = "",
  depth = 0,
): fc.Arbitrary<unknown> {
  const schema = deref(doc, input);
  const hinted = hint(fixtures, name, schema);
  if (hinted) return hinted;
  if (Array.isArray(schema.oneOf)) {
    return fc.oneof(
      ...(schema.oneOf as JsonSchema[]).map((s) => valueArbitrary(doc, fixtures, s, name, depth + 1)),
    );
  }
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string | undefined];
  const type = types.find((t) => t !== "null") ?? types[0];
  switch (type) {
    case "string":
      return stringArbitrary(schema);
    case "integer":
      return fc.integer({
        min: typeof schema.minimum === "number" ? schema.minimum : -1000,
        max: typeof schema.maximum === "number" ? schema.maximum : 1_000_000,
      });
    case "number":
      return fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });
    case "boolean":
      return fc.boolean();
    case "array": {
      const items = (schema.items as JsonSchema | undefined) ?? {};
      const minLength = typeof schema.minItems === "number" ? schema.minItems : 0;
      const maxLength = Math.max(
        minLength,
        Math.min(typeof schema.maxItems === "number" ? schema.maxItems : 3, 3),
      );
      return fc.array(valueArbitrary(doc, fixtures, items, singular(name), depth + 1), {
        minLength,
        maxLength: depth > 3 ? minLength : maxLength,
      });
    }
    case "object": {
      const properties = (schema.properties as Record<string, JsonSchema> | undefined) ?? {};
      const required = new Set((schema.required as string[] | undefined) ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, sub] of Object.entries(properties))
        record[key] = valueArbitrary(doc, fixtures, sub, key, depth + 1);
      const requiredKeys = Object.keys(properties).filter((k) => required.has(k));
      const base = Object.keys(record).length > 0 ? fc.record(record, { requiredKeys }) : fc.constant({});
      const extra = schema.additionalProperties;
      if (extra && typeof extra === "object" && Object.keys(properties).length === 0) {
        return fc.dictionary(
          fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/),
          valueArbitrary(doc, fixtures, extra as JsonSchema, "", depth + 1),
          { maxKeys: 3 },
        );
      }
      return base;
    }
    default:
      return fc.constant(null);
  }
}

function singular(name: string): string {
  if (name === "regions") return "region";
  return name.endsWith("Ids") ? name.slice(0, -1) : name;
}

function hint(fixtures: Fixtures, name: string, schema: JsonSchema): fc.Arbitrary<unknown> | undefined {
  const lazy = (get: () => string) => fc.constant(null).map(get);
  switch (name) {
    case "accountId":
      return fc.constantFrom(...fixtures.accountIds);
    case "region":
      return fc.constantFrom(...fixtures.regions);
    case "protectionGroupId":
    case "excludeGroupId":
      return lazy(fixtures.groupId);
    case "sourceServerId":
      // Real servers (some already claimed by a fixture group) and well-formed IDs DRS does not know.
      return fixtures.sourceServerIds.length > 0
        ? fc.oneof(fc.constantFrom(...fixtures.sourceServerIds), stringArbitrary(schema))
        : undefined;
    case "planId":
      return lazy(fixtures.planId);
    case "executionId":
      return lazy(fixtures.executionId);
    case "url":
      return loopbackUrl;
    case "email":
      return fc.stringMatching(/^fuzz-[a-z0-9]{1,12}$/).map((local) => `${local}@example.com`);
    case "password":
      return fc.constant("Fuzz-Pass-123");
    case "waveId":
    case "dependsOn":
      return schema.type === "string" ? fc.constantFrom("a", "b", "c") : undefined;
    default:
      return undefined;
  }
}

function stringArbitrary(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = typeof schema.minLength === "number" ? schema.minLength : 0;
  const maxLength = typeof schema.maxLength === "number" ? schema.maxLength : 64;
  if (schema.format === "uuid") return fc.uuid();
  if (schema.format === "date-time")
    return fc
      .date({
        min: new Date("2020-01-01T00:00:00Z"),
        max: new Date("2030-01-01T00:00:00Z"),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString());
  if (typeof schema.pattern === "string") {
    return fc
      .stringMatching(new RegExp(schema.pattern))
      .filter((s) => s.length >= minLength && s.length <= maxLength);
  }
  const cap = Math.max(minLength, Math.min(maxLength, 24));
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength, maxLength: cap }) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(...UNICODE_EDGE_CASES)
        .filter((s) => s.length >= minLength && s.length <= maxLength),
    },
    {
      weight: 1,
      arbitrary: fc.string({ unit: "grapheme", minLength: Math.max(minLength, 1), maxLength: cap }),
    },
  );
}

/** A value of another JSON type than `value` (for wrong-type mutations). */
export function otherTypeArbitrary(value: unknown): fc.Arbitrary<unknown> {
  const all: Array<[string, fc.Arbitrary<unknown>]> = [
    ["string", fc.constantFrom("", "1", "true", "null", "[]")],
    ["number", fc.constantFrom(0, -1, 1.5, 1e308, -0, 2 ** 53 + 2)],
    ["boolean", fc.boolean()],
    ["null", fc.constant(null)],
    ["array", fc.constantFrom([], [1], [null], ["a"])],
    ["object", fc.constantFrom({}, { a: 1 }, JSON.parse('{"__proto__":{"polluted":true}}') as unknown)],
  ];
  const kind = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
  return fc.oneof(...all.filter(([k]) => k !== kind).map(([, a]) => a));
}

export { loopbackUrl };

/** All paths (property chains) into a JSON value, with the value found there. */
export function pathsOf(
  value: unknown,
  prefix: Array<string | number> = [],
  out: Array<Array<string | number>> = [],
) {
  // Bounded: a 10,000-item array or a 100,000-deep body offers no better mutation targets than its first few
  // thousand paths, and listing them all costs quadratic memory.
  if (out.length >= 2_000 || prefix.length > 32) return out;
  if (prefix.length > 0) out.push(prefix);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) pathsOf(value[i], [...prefix, i], out);
  } else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
  return out;
}

export function getAt(value: unknown, path: ReadonlyArray<string | number>): unknown {
  let current = value;
  for (const part of path) current = (current as Record<string | number, unknown> | undefined)?.[part];
  return current;
}

/** A deep copy of `value` with the thing at `path` replaced (or removed when `replacement` is `REMOVE`). */
export const REMOVE = Symbol("remove");
export function setAt(value: unknown, path: ReadonlyArray<string | number>, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let parent = copy;
  for (const part of path.slice(0, -1)) parent = parent[part] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (replacement === REMOVE) {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else if (Array.isArray(parent)) parent[Number(last)] = replacement;
  // defineProperty: a key such as "__proto__" becomes an own property, as JSON.parse would make it.
  else
    Object.defineProperty(parent, last, {
      value: replacement,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return copy;
}

export type { Oracle };
