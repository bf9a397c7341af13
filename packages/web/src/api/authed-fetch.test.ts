import { describe, expect, it, vi } from "vitest";
import type { AuthProvider, Tokens } from "../auth/types.js";
import { createAuthedFetch } from "./authed-fetch.js";

function fakeAuth(
  initial: Tokens | undefined,
  refreshed: Tokens | Error,
): AuthProvider & { refresh: ReturnType<typeof vi.fn> } {
  let tokens = initial;
  return {
    mode: "local",
    signIn: async () => {
      tokens = {
        idToken: "after-sign-in",
        accessToken: "a",
        refreshToken: "r3",
        expiresAt: Date.now() + 3600_000,
      };
      return tokens;
    },
    refresh: vi.fn(async () => {
      if (refreshed instanceof Error) throw refreshed;
      tokens = refreshed;
      return refreshed;
    }),
    signOut: async () => {},
    currentTokens: () => tokens,
    subscribe: () => () => {},
  };
}
const tok = (id: string, expiresAt = Date.now() + 3600_000): Tokens => ({
  idToken: id,
  accessToken: "a",
  refreshToken: `r-${id}`,
  expiresAt,
});

describe("authed fetch", () => {
  it("sends the bearer ID token", async () => {
    const seen: string[] = [];
    const f = createAuthedFetch({
      auth: fakeAuth(tok("t1"), tok("t2")),
      reauthenticate: async () => {},
      fetch: async (r) => {
        seen.push(r.headers.get("authorization") ?? "");
        return new Response("{}", { status: 200 });
      },
    });
    await f(new Request("http://x/api/users/profile"));
    expect(seen).toEqual(["Bearer t1"]);
  });

  it("on 401 refreshes once and retries the same request with its body", async () => {
    const seen: Array<{ auth: string; body: string }> = [];
    const auth = fakeAuth(tok("old"), tok("new"));
    const f = createAuthedFetch({
      auth,
      reauthenticate: async () => {
        throw new Error("not expected");
      },
      fetch: async (r) => {
        seen.push({ auth: r.headers.get("authorization") ?? "", body: await r.text() });
        return new Response("{}", { status: r.headers.get("authorization") === "Bearer new" ? 201 : 401 });
      },
    });
    const response = await f(
      new Request("http://x/api/protection-groups", { method: "POST", body: '{"name":"g"}' }),
    );
    expect(response.status).toBe(201);
    expect(auth.refresh).toHaveBeenCalledTimes(1);
    expect(seen).toEqual([
      { auth: "Bearer old", body: '{"name":"g"}' },
      { auth: "Bearer new", body: '{"name":"g"}' },
    ]);
  });

  it("when the session is over, waits for the user to sign in again, then retries (the form is kept)", async () => {
    const auth = fakeAuth(tok("old"), new Error("revoked"));
    const reauthenticate = vi.fn(async () => {
      await auth.signIn("ops@example.com", "pw");
    });
    const f = createAuthedFetch({
      auth,
      reauthenticate,
      fetch: async (r) =>
        new Response("{}", { status: r.headers.get("authorization") === "Bearer after-sign-in" ? 200 : 401 }),
    });
    const response = await f(new Request("http://x/api/recovery-plans", { method: "POST", body: "{}" }));
    expect(reauthenticate).toHaveBeenCalledTimes(1);
    expect(response.status).toBe(200);
  });

  it("refreshes ahead of an expiring token", async () => {
    const auth = fakeAuth(tok("expiring", Date.now() + 5_000), tok("fresh"));
    const seen: string[] = [];
    const f = createAuthedFetch({
      auth,
      reauthenticate: async () => {},
      fetch: async (r) => {
        seen.push(r.headers.get("authorization") ?? "");
        return new Response("{}", { status: 200 });
      },
    });
    await f(new Request("http://x/api/executions"));
    expect(seen).toEqual(["Bearer fresh"]);
  });
});
