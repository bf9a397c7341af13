import { ManualClock } from "@drso/clock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiClient } from "../support/api-client.js";
import { recordResult, trackOutcome } from "../support/suite-results.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

/**
 * Per-user rate limiting (DRSO_RATE_LIMIT_PER_USER): a token bucket per user, refilled at the configured rate,
 * holding max(20, 2 × rate) requests. The clock is virtual, so the bucket refills only when the test says so.
 */
describe("abuse: rate limiting per user", () => {
  const RATE = 5;
  const BURST = Math.max(20, RATE * 2);
  const clock = new ManualClock(Date.now());
  let t: TestServer;
  let operator: ApiClient;
  let viewer: ApiClient;
  const outcome = trackOutcome();

  beforeAll(async () => {
    t = await startTestServer({ DRSO_ENGINE: "off", DRSO_RATE_LIMIT_PER_USER: String(RATE) }, { clock });
    operator = (await t.as("DRSOperator")).api;
    viewer = (await t.as("DRSViewer")).api;
    clock.advance(60_000); // full buckets whatever the set-up used
  }, 120_000);
  afterAll(async () => {
    recordResult({
      suite: "abuse",
      property: `per-user rate limit (${RATE}/s, burst ${BURST}): a burst beyond it gets 429 problem+json with Retry-After, other users are unaffected, the limit recovers`,
      runs: BURST + 10,
      result: outcome.result(),
    });
    await t?.close();
  });

  it("answers a burst beyond the limit with 429 problem+json and Retry-After, and only for that user", async () => {
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<ApiClient["get"]>> | undefined;
    for (let i = 0; i < BURST + 10; i++) {
      const response = await operator.get<{ code?: string }>("/protection-groups");
      statuses.push(response.status);
      if (response.status === 429) limited ??= response;
    }
    expect(statuses.slice(0, BURST)).toEqual(Array(BURST).fill(200));
    expect(statuses.slice(BURST)).toEqual(Array(10).fill(429));
    expect(limited!.headers.get("content-type")).toContain("application/problem+json");
    expect(limited!.body).toMatchObject({ status: 429, code: "RATE_LIMITED" });
    const retryAfter = Number(limited!.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(Math.ceil(1 / RATE) + 1);
    expect(limited!.headers.get("x-request-id")).toBeTruthy();

    // Another user still has a full bucket.
    for (let i = 0; i < 5; i++) expect((await viewer.get("/protection-groups")).status).toBe(200);
    // Mutating routes share the user's bucket: the limited user cannot write either.
    expect((await operator.post("/protection-groups", { name: "x" })).status).toBe(429);
  });

  it("recovers at the configured rate once the caller waits", async () => {
    clock.advance(1000); // RATE tokens
    const statuses: number[] = [];
    for (let i = 0; i < RATE + 1; i++) statuses.push((await operator.get("/protection-groups")).status);
    expect(statuses).toEqual([...Array(RATE).fill(200), 429]);
    clock.advance(60_000);
    expect((await operator.get("/protection-groups")).status).toBe(200);
  });
});
