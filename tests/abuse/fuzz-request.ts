import fc from "fast-check";
import type { OpenApiDocument, Operation, Oracle, Verdict } from "./openapi-model.js";
import type { RawRequest } from "./raw-http.js";
import {
  type Fixtures,
  type FuzzRequest,
  getAt,
  HUGE_STRING,
  ODD_IDS,
  otherTypeArbitrary,
  pathsOf,
  REMOVE,
  setAt,
  UNICODE_EDGE_CASES,
  valueArbitrary,
} from "./request-arbitraries.js";

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
/** Marker that must never come back in a response header (response splitting). */
export const INJECTED = "pwned-by-fuzz";

function fixtureFor(op: Operation, param: string, fixtures: Fixtures): (() => string) | undefined {
  if (param === "accountId") return () => fixtures.accountIds[0]!;
  if (param !== "id") return undefined;
  if (op.path.startsWith("/protection-groups/")) return fixtures.groupId;
  if (op.path.startsWith("/recovery-plans/")) return fixtures.planId;
  if (op.path.startsWith("/executions/")) return fixtures.executionId;
  if (op.path.startsWith("/users/")) return fixtures.victimUserId;
  return undefined;
}

/** A request the document calls valid (with real identifiers most of the time). */
export function baseRequest(
  doc: OpenApiDocument,
  fixtures: Fixtures,
  op: Operation,
): fc.Arbitrary<FuzzRequest> {
  const pathArbs: Record<string, fc.Arbitrary<{ value: string; raw: boolean }>> = {};
  for (const p of op.pathParams) {
    const fromSchema = valueArbitrary(doc, fixtures, p.schema, "").map(String);
    const fixture = fixtureFor(op, p.name, fixtures);
    const value = fixture
      ? fc.oneof(
          { weight: 3, arbitrary: fc.constant(null).map(fixture) },
          { weight: 1, arbitrary: fromSchema },
        )
      : fromSchema;
    pathArbs[p.name] = value.map((v) => ({ value: v, raw: false }));
  }
  const queryArbs = op.queryParams.map((p) => {
    const value = valueArbitrary(doc, fixtures, p.schema, p.name).map(
      (v) => [p.name, String(v)] as [string, string],
    );
    return p.required ? value.map((v) => [v]) : fc.option(value, { freq: 2 }).map((v) => (v ? [v] : []));
  });
  const body = op.body ? valueArbitrary(doc, fixtures, op.body.schema) : fc.constant(undefined);
  return fc
    .record({
      pathValues: Object.keys(pathArbs).length > 0 ? fc.record(pathArbs) : fc.constant({}),
      query:
        queryArbs.length > 0
          ? fc.tuple(...queryArbs).map((lists): Array<[string, string]> => lists.flat())
          : fc.constant<Array<[string, string]>>([]),
      body,
    })
    .map(({ pathValues, query, body: json }) => ({
      op,
      pathValues,
      query,
      headers: [],
      ...(op.body ? { body: { json } } : {}),
      contentType: op.body ? "application/json" : null,
      mutations: [],
      headerVerdicts: [],
    }));
}

interface Mutation {
  name: string;
  applies(r: FuzzRequest): boolean;
  apply(r: FuzzRequest): fc.Arbitrary<FuzzRequest>;
}

const jsonOf = (r: FuzzRequest): unknown => (r.body && "json" in r.body ? r.body.json : undefined);
const hasJson = (r: FuzzRequest) => r.body !== undefined && "json" in r.body;
const withLabel = (r: FuzzRequest, label: string, patch: Partial<FuzzRequest>): FuzzRequest => ({
  ...r,
  ...patch,
  mutations: [...r.mutations, label],
});
const pathsWhere = (r: FuzzRequest, test: (v: unknown) => boolean) =>
  pathsOf(jsonOf(r)).filter((p) => test(getAt(jsonOf(r), p)));
// By index, not `constantFrom(...items)`: a body with a 10,000-item array has more paths than a call can spread.
const pick = <T>(items: readonly T[]) =>
  fc.integer({ min: 0, max: items.length - 1 }).map((i) => items[i] as T);

const MALFORMED_JSON = [
  "{not json",
  "{'name':'x'}",
  '{"name":}',
  "[1,2,",
  "NaN",
  '{"a":1}garbage',
  '{"a":1}{"b":2}',
  "",
  "   ",
  "\u0000",
  '{"a":"\\x41"}',
  '{"a":"\\ud800"',
  "{".repeat(5000),
  '{"a":01}',
  '{"a":1,}',
  "undefined",
];

const MUTATIONS: Mutation[] = [
  {
    name: "malformed-json",
    applies: (r) => r.op.body !== undefined,
    apply: (r) =>
      fc
        .oneof(
          pick(MALFORMED_JSON),
          fc.nat().map((n) => {
            const text = JSON.stringify(jsonOf(r) ?? {});
            return text.slice(0, Math.max(0, (n % Math.max(1, text.length)) - 0) || 1);
          }),
        )
        .map((text) =>
          withLabel(r, `malformed-json ${JSON.stringify(text.slice(0, 40))}`, { body: { text } }),
        ),
  },
  {
    name: "wrong-type",
    applies: hasJson,
    apply: (r) =>
      pick([[], ...pathsOf(jsonOf(r))] as Array<Array<string | number>>).chain((path) =>
        otherTypeArbitrary(getAt(jsonOf(r), path)).map((replacement) =>
          withLabel(r, `wrong-type at ${path.join(".") || "(root)"}`, {
            body: { json: setAt(jsonOf(r), path, replacement) },
          }),
        ),
      ),
  },
  {
    name: "drop-field",
    applies: (r) => hasJson(r) && pathsOf(jsonOf(r)).some((p) => typeof p[p.length - 1] === "string"),
    apply: (r) =>
      pick(pathsOf(jsonOf(r)).filter((p) => typeof p[p.length - 1] === "string")).map((path) =>
        withLabel(r, `drop ${path.join(".")}`, { body: { json: setAt(jsonOf(r), path, REMOVE) } }),
      ),
  },
  {
    name: "extra-field",
    applies: (r) =>
      hasJson(r) && typeof jsonOf(r) === "object" && jsonOf(r) !== null && !Array.isArray(jsonOf(r)),
    apply: (r) =>
      fc
        .tuple(
          pick([[], ...pathsWhere(r, (v) => !!v && typeof v === "object" && !Array.isArray(v))]),
          pick(["isAdmin", "role", "__proto__", "constructor", "version", "createdAt", "groupId", "🙂", ""]),
          fc.oneof(fc.constant(true), fc.constant({ polluted: true }), fc.constant("x")),
        )
        .map(([path, key, value]) =>
          withLabel(r, `extra field ${JSON.stringify(key)} at ${path.join(".") || "(root)"}`, {
            body: { json: setAt(jsonOf(r), [...path, key], value) },
          }),
        ),
  },
  {
    name: "huge-string",
    applies: hasJson,
    apply: (r) =>
      pick([[], ...pathsWhere(r, (v) => typeof v === "string")] as Array<Array<string | number>>).map(
        (path) =>
          withLabel(r, `100 KB string at ${path.join(".") || "(root)"}`, {
            body: { json: setAt(jsonOf(r), path, HUGE_STRING) },
          }),
      ),
  },
  {
    name: "huge-array",
    applies: hasJson,
    apply: (r) =>
      pick([[], ...pathsWhere(r, Array.isArray)] as Array<Array<string | number>>).map((path) => {
        const current = getAt(jsonOf(r), path);
        const item = Array.isArray(current) && current.length > 0 ? current[0] : "x";
        // Up to 10,000 items, and no more than about 4 MB in all (already 4 times the body limit): a
        // 10,000-item array of 100 KB strings would be a gigabyte and exhaust the test, not the server.
        const itemBytes = Math.max(1, (JSON.stringify(item) ?? "").length);
        const count = Math.max(2, Math.min(10_000, Math.floor(4_000_000 / itemBytes)));
        return withLabel(r, `${count.toLocaleString("en")}-item array at ${path.join(".") || "(root)"}`, {
          body: {
            json: setAt(
              jsonOf(r),
              path,
              // Separate copies: with one shared item, a later mutation inside it would grow every copy.
              Array.from({ length: count }, () => structuredClone(item)),
            ),
          },
        });
      }),
  },
  {
    name: "unicode",
    applies: (r) => hasJson(r) && pathsWhere(r, (v) => typeof v === "string").length > 0,
    apply: (r) =>
      fc
        .tuple(pick(pathsWhere(r, (v) => typeof v === "string")), pick(UNICODE_EDGE_CASES), fc.boolean())
        .map(([path, edge, append]) =>
          withLabel(r, `unicode ${JSON.stringify(edge)} at ${path.join(".")}`, {
            body: {
              json: setAt(jsonOf(r), path, append ? `${String(getAt(jsonOf(r), path))}${edge}` : edge),
            },
          }),
        ),
  },
  {
    name: "content-type",
    applies: (r) => r.op.body !== undefined,
    apply: (r) =>
      pick([
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/jsonx",
        "json",
        "",
        null,
        "APPLICATION/JSON",
        "application/merge-patch+json",
        "application/json; charset=utf-8",
        "application/json;;;",
        "application/json\u00e9",
      ]).map((contentType) => withLabel(r, `content-type ${JSON.stringify(contentType)}`, { contentType })),
  },
  {
    name: "no-body",
    applies: (r) => r.op.body !== undefined,
    apply: (r) => {
      const { body: _body, ...rest } = r;
      return fc.constant(withLabel(rest, "no body", {}));
    },
  },
  {
    name: "deep-nesting",
    applies: (r) => r.op.body !== undefined,
    apply: (r) =>
      fc.constantFrom(10_000, 100_000).map((depth) =>
        withLabel(r, `nesting depth ${depth}`, {
          body: { text: `${"[".repeat(depth)}${"]".repeat(depth)}` },
        }),
      ),
  },
  {
    name: "invalid-utf8",
    applies: hasJson,
    apply: (r) =>
      pick([[0xc3, 0x28], [0xff], [0xed, 0xa0, 0x80], [0xc0, 0xaf]]).map((bad) => {
        const text = JSON.stringify(jsonOf(r));
        const at = text.indexOf('"') + 1;
        const bytes = [...Buffer.from(text.slice(0, at)), ...bad, ...Buffer.from(text.slice(at))];
        return withLabel(r, `invalid UTF-8 ${bad.map((b) => b.toString(16)).join(" ")}`, { body: { bytes } });
      }),
  },
  {
    name: "odd-path-id",
    applies: (r) => r.op.pathParams.length > 0,
    apply: (r) =>
      fc
        .tuple(
          pick(r.op.pathParams.map((p) => p.name)),
          fc.oneof(pick(ODD_IDS), pick(UNICODE_EDGE_CASES)),
          fc.boolean(),
        )
        .map(([name, value, raw]) =>
          withLabel(r, `${raw ? "raw" : "encoded"} path ${name}=${JSON.stringify(value.slice(0, 40))}`, {
            pathValues: { ...r.pathValues, [name]: { value, raw } },
          }),
        ),
  },
  {
    name: "odd-query-value",
    applies: () => true,
    apply: (r) =>
      fc
        .tuple(
          pick([...r.op.queryParams.map((p) => p.name), "limit", "unknownParam"]),
          fc.oneof(
            pick(ODD_IDS),
            pick(UNICODE_EDGE_CASES),
            pick(["", "-1", "0", "1.5", "99999999999", "true", "null", "[]", "x".repeat(5000)]),
          ),
        )
        .map(([name, value]) =>
          withLabel(r, `query ${name}=${JSON.stringify(value.slice(0, 40))}`, {
            query: [...r.query.filter(([k]) => k !== name), [name, value]],
          }),
        ),
  },
  {
    name: "repeated-query-key",
    applies: (r) => r.op.queryParams.length > 0,
    apply: (r) =>
      fc
        .tuple(pick(r.op.queryParams.map((p) => p.name)), pick(["1", "2", "", "x", "100000"]))
        .map(([name, value]) =>
          withLabel(r, `repeated query ${name}`, { query: [...r.query, [name, value], [name, value]] }),
        ),
  },
  {
    name: "raw-query",
    applies: () => true,
    apply: (r) =>
      pick([
        "%zz",
        "a=%",
        "=",
        "&&&",
        "limit",
        "limit=&limit",
        "limit[]=1&limit[]=2",
        "limit[0]=5",
        "__proto__[polluted]=1",
        "constructor[prototype][polluted]=1",
        `a=${"b".repeat(8000)}`,
        "%00=%00",
        "q=%E0%A4%A",
        "region=us-east-1%00",
        "region=US-EAST-1",
      ]).map((rawQuery) => withLabel(r, `raw query ${rawQuery.slice(0, 40)}`, { rawQuery })),
  },
  {
    name: "if-match",
    applies: () => true,
    apply: (r) =>
      fc
        .oneof(
          pick(["garbage", '"v1', 'v1""', "W/", "🙂", "v", '"vx"', "v1 v2", "*,*", "\u00e9"]).map(
            (value) => [value, r.op.honoursIfMatch ? "invalid" : "valid"] as const,
          ),
          pick(["*", '"v1"', 'W/"v1"', '"v999999"', '"v1", "v2"', '""', "0"]).map(
            (value) => [value, r.op.honoursIfMatch ? "unknown" : "valid"] as const,
          ),
        )
        .map(([value, verdict]) =>
          withLabel(r, `If-Match ${JSON.stringify(value)}`, {
            headers: [...r.headers, ["If-Match", value]],
            headerVerdicts: [...r.headerVerdicts, verdict as Verdict],
          }),
        ),
  },
  {
    name: "header-injection",
    applies: () => true,
    apply: (r) =>
      pick<[string, string, Verdict]>([
        ["X-Request-Id", `abc\r\nSet-Cookie: ${INJECTED}=1`, "valid"],
        ["X-Request-Id", `<script>${INJECTED}</script>`, "valid"],
        ["X-Request-Id", `${INJECTED}-${"x".repeat(300)}`, "valid"],
        ["X-Request-Id", `${INJECTED} 🙂`, "valid"],
        ["X-Fuzz", `a\r\nX-Injected: ${INJECTED}`, "valid"],
        ["X-Fuzz", `a\nLocation: ${INJECTED}`, "unknown"],
        ["X-Fuzz", `a\rb${INJECTED}`, "unknown"],
        ["X-HTTP-Method-Override", "DELETE", "valid"],
        ["X-Forwarded-For", `127.0.0.1, ${INJECTED}`, "valid"],
        ["X-Forwarded-Host", `${INJECTED}.example`, "valid"],
        ["X-Fuzz", "x".repeat(64 * 1024), "invalid"],
        ["Accept", "application/xml", "valid"],
        ["Accept-Encoding", "gzip;q=1e999, br", "valid"],
      ]).map(([name, value, verdict]) =>
        withLabel(r, `header ${name}: ${JSON.stringify(value.slice(0, 40))}`, {
          headers: [...r.headers, [name, value]],
          headerVerdicts: [...r.headerVerdicts, verdict],
        }),
      ),
  },
  {
    name: "duplicate-content-type",
    applies: (r) => r.op.body !== undefined,
    apply: (r) =>
      pick(["text/plain", "application/json", "application/xml"]).map((second) =>
        withLabel(r, `second Content-Type ${second}`, {
          headers: [...r.headers, ["Content-Type", second]],
          headerVerdicts: [...r.headerVerdicts, "unknown"],
        }),
      ),
  },
];

/** A request: valid, or with up to three mutations applied. */
export function requestArbitrary(
  doc: OpenApiDocument,
  fixtures: Fixtures,
  op: Operation,
): fc.Arbitrary<FuzzRequest> {
  return baseRequest(doc, fixtures, op).chain((base) =>
    fc
      .oneof(
        // Unmutated requests reach the handlers' domain checks (unknown servers, conflicts, states), where a
        // write-before-check would change the store although the request is refused.
        { weight: 2, arbitrary: fc.constant<Mutation[]>([]) },
        { weight: 6, arbitrary: fc.array(fc.constantFrom(...MUTATIONS), { minLength: 1, maxLength: 3 }) },
      )
      .chain((mutations) => {
        let arb: fc.Arbitrary<FuzzRequest> = fc.constant(base);
        for (const m of mutations) arb = arb.chain((r) => (m.applies(r) ? m.apply(r) : fc.constant(r)));
        return arb;
      }),
  );
}

const ROUTING_CHARACTERS = /[/?#%\\\s]|\.\.?$|^\.\.?/;

/** What the document says about the request: valid, invalid (must be a 4xx), or not decided by it. */
export function verdictOf(oracle: Oracle, r: FuzzRequest): Verdict {
  const verdicts: Verdict[] = [...r.headerVerdicts];
  for (const p of r.op.pathParams) {
    const v = r.pathValues[p.name];
    if (!v) continue;
    // A raw value that changes what the path means (segments, query, dot segments) may reach another route.
    if (v.raw && (ROUTING_CHARACTERS.test(v.value) || /[^\x21-\x7e]/.test(v.value))) return "unknown";
    verdicts.push(v.value === "" ? "invalid" : oracle.parameterVerdict(p, v.value));
  }
  if (r.rawQuery !== undefined) verdicts.push("unknown");
  const byName = new Map<string, string[]>();
  for (const [k, v] of r.query) byName.set(k, [...(byName.get(k) ?? []), v]);
  for (const p of r.op.queryParams) {
    const values = byName.get(p.name);
    if (!values) {
      if (p.required) verdicts.push("invalid");
      continue;
    }
    verdicts.push(
      values.length > 1
        ? "unknown"
        : p.required || values[0] !== ""
          ? oracle.parameterVerdict(p, values[0]!)
          : "unknown",
    );
  }
  if (r.op.body) {
    const sendsBody = r.body !== undefined;
    if (!sendsBody) verdicts.push(r.op.body.required ? "invalid" : "valid");
    else {
      if (r.contentType === null || !JSON_MEDIA_TYPE.test(r.contentType)) verdicts.push("invalid");
      else if (/charset=(?!utf-8)/i.test(r.contentType) || /\u00e9/.test(r.contentType))
        verdicts.push("unknown");
      const body = r.body!;
      if ("bytes" in body) verdicts.push("unknown");
      else if ("text" in body) {
        let parsed: unknown;
        let ok = true;
        try {
          parsed = JSON.parse(body.text);
        } catch {
          ok = false;
        }
        verdicts.push(ok ? oracle.bodyVerdict(r.op.body.schema, parsed) : "invalid");
      } else verdicts.push(oracle.bodyVerdict(r.op.body.schema, body.json));
    }
  }
  if (verdicts.includes("invalid")) return "invalid";
  if (verdicts.includes("unknown")) return "unknown";
  return "valid";
}

/**
 * encodeURIComponent, except that a lone surrogate (which it refuses) is sent as its WTF-8 bytes: an invalid
 * UTF-8 sequence the server has to cope with.
 */
export function percentEncode(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += encodeURIComponent(text.slice(i, i + 2));
      i++;
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join("");
    } else out += encodeURIComponent(text[i]!);
  }
  return out;
}

/** The bytes on the wire. */
export function toRaw(r: FuzzRequest, token: string | undefined): RawRequest {
  let path = `/api${r.op.path}`;
  for (const [name, v] of Object.entries(r.pathValues))
    path = path.replace(`{${name}}`, v.raw ? v.value : percentEncode(v.value));
  const query = r.query.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`);
  if (r.rawQuery !== undefined) query.push(r.rawQuery);
  const headers: Array<[string, string]> = [];
  if (token) headers.push(["Authorization", `Bearer ${token}`]);
  let body: Buffer | undefined;
  if (r.body) {
    if (r.contentType !== null) headers.push(["Content-Type", r.contentType]);
    body =
      "json" in r.body
        ? Buffer.from(JSON.stringify(r.body.json) ?? "", "utf8")
        : "text" in r.body
          ? Buffer.from(r.body.text, "utf8")
          : Buffer.from(r.body.bytes);
  }
  headers.push(...r.headers);
  return {
    method: r.op.method,
    target: query.length > 0 ? `${path}?${query.join("&")}` : path,
    headers,
    ...(body !== undefined ? { body } : {}),
  };
}

export function describeRequest(r: FuzzRequest, verdict: Verdict): string {
  let raw: RawRequest;
  try {
    raw = toRaw(r, undefined);
  } catch (error) {
    return `${r.op.method} ${r.op.path} [${verdict}] mutations: ${r.mutations.join("; ")}; (request not printable: ${String(error)})`;
  }
  const body = raw.body ? raw.body.toString("utf8") : "";
  return `${raw.method} ${raw.target.slice(0, 300)} [${verdict}] mutations: ${r.mutations.join("; ") || "none"}; body: ${body.slice(0, 300)}`;
}
