import { describe, expect, it } from "vitest";
import { createLocalTransport } from "./local-transport.js";

function fakeFetch(handler: (path: string, body: unknown) => Response) {
  const calls: Array<{ url: string; body: unknown }> = [];
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body ?? "null"));
    calls.push({ url: String(input), body });
    return handler(new URL(String(input), "http://x").pathname, body);
  }) as typeof fetch;
  return { fetchImpl, calls };
}
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

describe("local identity transport", () => {
  it("signs in and computes the expiry from expiresIn", async () => {
    const { fetchImpl, calls } = fakeFetch(() =>
      json(200, { idToken: "i", accessToken: "a", refreshToken: "r", expiresIn: 2700, tokenType: "Bearer" }),
    );
    const t = createLocalTransport("/api", { fetch: fetchImpl, now: () => 1000 });
    expect(await t.signIn("a@example.com", "pw")).toEqual({
      idToken: "i",
      accessToken: "a",
      refreshToken: "r",
      expiresAt: 1000 + 2_700_000,
    });
    expect(calls[0]).toEqual({ url: "/api/auth/login", body: { email: "a@example.com", password: "pw" } });
  });

  it("maps a 401 to INVALID_CREDENTIALS with the problem's detail", async () => {
    const { fetchImpl } = fakeFetch(() =>
      json(401, {
        title: "Unauthorized",
        detail: "Incorrect email or password.",
        code: "INVALID_CREDENTIALS",
      }),
    );
    const t = createLocalTransport("/api", { fetch: fetchImpl });
    await expect(t.signIn("a@example.com", "pw")).rejects.toMatchObject({
      code: "INVALID_CREDENTIALS",
      message: "Incorrect email or password.",
    });
  });

  it("maps a refused refresh to SESSION_EXPIRED and a server error to NETWORK", async () => {
    const refused = createLocalTransport("/api", {
      fetch: fakeFetch(() => json(401, { detail: "revoked" })).fetchImpl,
    });
    await expect(refused.refresh("r")).rejects.toMatchObject({ code: "SESSION_EXPIRED" });
    const down = createLocalTransport("/api", {
      fetch: fakeFetch(() => json(503, { detail: "down" })).fetchImpl,
    });
    await expect(down.refresh("r")).rejects.toMatchObject({ code: "NETWORK" });
  });
});
