/**
 * The bare floor for the API bench: Hono on @hono/node-server with better-sqlite3, answering the shapes the
 * bench asks of the product (health, a page of recovery plans, the protection-group CRUD mix) with nothing
 * else: no token verification, RBAC, rate limit, validation beyond JSON.parse, audit, request ID or
 * security headers. It measures what this machine gives an HTTP + SQLite server in the same run, so the
 * product's figures can be read as a fraction of it. Started by bench/api-bench.ts; prints "ready" when
 * it listens on 127.0.0.1:$PORT.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import Database from "better-sqlite3";
import { Hono } from "hono";

const dir = mkdtempSync(join(tmpdir(), "drso-bench-floor-"));
const db = new Database(join(dir, "floor.db"));
db.pragma("journal_mode = WAL");
db.pragma("synchronous = NORMAL");
db.exec(`
  CREATE TABLE groups (id TEXT PRIMARY KEY, name TEXT UNIQUE NOT NULL, version INTEGER NOT NULL, doc TEXT NOT NULL);
  CREATE TABLE plans (id TEXT PRIMARY KEY, name TEXT UNIQUE NOT NULL, version INTEGER NOT NULL, doc TEXT NOT NULL);
`);
const listGroups = db.prepare("SELECT doc FROM groups ORDER BY name LIMIT ?");
const listPlans = db.prepare("SELECT doc FROM plans ORDER BY name LIMIT ?");
const getGroup = db.prepare("SELECT doc, version FROM groups WHERE id = ?");
const insertGroup = db.prepare("INSERT INTO groups (id, name, version, doc) VALUES (?, ?, 1, ?)");
const updateGroup = db.prepare(
  "UPDATE groups SET name = ?, version = version + 1, doc = ? WHERE id = ? AND version = ?",
);
const deleteGroup = db.prepare("DELETE FROM groups WHERE id = ? AND version = ?");
const insertPlan = db.prepare("INSERT INTO plans (id, name, version, doc) VALUES (?, ?, 1, ?)");

const limitOf = (value: string | undefined) => Math.min(100, Math.max(1, Number(value ?? 50) || 50));
const versionOf = (ifMatch: string | undefined) =>
  Number(/^"v(\d+)"$/.exec(ifMatch ?? "")?.[1] ?? Number.NaN);

const app = new Hono();
app.get("/api/health", (c) => c.json({ status: "ok", version: "floor", time: new Date().toISOString() }));
app.get("/api/recovery-plans", (c) =>
  c.json({
    items: (listPlans.all(limitOf(c.req.query("limit"))) as { doc: string }[]).map((r) => JSON.parse(r.doc)),
  }),
);
app.post("/api/recovery-plans", async (c) => {
  const body = (await c.req.json()) as { name: string };
  const plan = { ...body, planId: randomUUID(), version: 1, createdAt: new Date().toISOString() };
  insertPlan.run(plan.planId, plan.name, JSON.stringify(plan));
  return c.json(plan, 201);
});
app.get("/api/protection-groups", (c) =>
  c.json({
    items: (listGroups.all(limitOf(c.req.query("limit"))) as { doc: string }[]).map((r) => JSON.parse(r.doc)),
  }),
);
app.post("/api/protection-groups", async (c) => {
  const body = (await c.req.json()) as { name: string };
  const group = { ...body, groupId: randomUUID(), version: 1, createdAt: new Date().toISOString() };
  insertGroup.run(group.groupId, group.name, JSON.stringify(group));
  return c.json(group, 201, { etag: '"v1"' });
});
app.get("/api/protection-groups/:id", (c) => {
  const row = getGroup.get(c.req.param("id")) as { doc: string; version: number } | undefined;
  if (!row) return c.json({ code: "NOT_FOUND" }, 404);
  return c.json(JSON.parse(row.doc), 200, { etag: `"v${row.version}"` });
});
app.put("/api/protection-groups/:id", async (c) => {
  const body = (await c.req.json()) as { name: string };
  const id = c.req.param("id");
  const version = versionOf(c.req.header("if-match"));
  const group = { ...body, groupId: id, version: version + 1, updatedAt: new Date().toISOString() };
  const changed = db.transaction(
    () => updateGroup.run(group.name, JSON.stringify(group), id, version).changes,
  )();
  if (changed === 0) return c.json({ code: "PRECONDITION_FAILED" }, 412);
  return c.json(group, 200, { etag: `"v${group.version}"` });
});
app.delete("/api/protection-groups/:id", (c) => {
  const changed = deleteGroup.run(c.req.param("id"), versionOf(c.req.header("if-match"))).changes;
  if (changed === 0) return c.json({ code: "PRECONDITION_FAILED" }, 412);
  return c.body(null, 204);
});

const server = serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: "127.0.0.1" }, () =>
  console.log("ready"),
);
process.once("SIGTERM", () => {
  server.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});
