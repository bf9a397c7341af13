import { describe, expect, it, vi } from "vitest";
import { createSessionAuth, hasResumableSession, type SessionEnvironment } from "./session-auth.js";
import { AuthError, type AuthTransport, type Tokens } from "./types.js";

class MemoryStorage {
  private map = new Map<string, string>();
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.map.set(k, v);
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
}

/** A browser with tabs: one shared localStorage, one cross-tab lock, one broadcast bus. */
function fakeBrowser() {
  const shared = new MemoryStorage();
  let chain: Promise<unknown> = Promise.resolve();
  const listeners: Array<{ tab: number; fn: (e: MessageEvent) => void }> = [];
  let tabs = 0;
  return {
    shared,
    tab(): SessionEnvironment {
      const id = ++tabs;
      return {
        tabStorage: new MemoryStorage(),
        sharedStorage: shared,
        withLock: <T>(_name: string, fn: () => Promise<T>) => {
          const run = chain.then(fn, fn);
          chain = run.catch(() => undefined);
          return run;
        },
        channel: {
          postMessage: (data: unknown) => {
            for (const l of listeners) if (l.tab !== id) l.fn({ data } as MessageEvent);
          },
          addEventListener: (_type, fn) => listeners.push({ tab: id, fn }),
        },
        now: () => 1_000_000,
      };
    },
  };
}

/**
 * A fake token service with rotating refresh tokens: a refresh token works once; replaying a spent one
 * revokes everything (as the local identity and Cognito rotation do).
 */
function fakeTransport() {
  let generation = 0;
  const valid = new Set<string>();
  let revoked = false;
  const issue = (): Tokens => {
    generation++;
    const refreshToken = `refresh-${generation}`;
    valid.add(refreshToken);
    return {
      idToken: `h.${btoa(JSON.stringify({ email: "ops@example.com", gen: generation }))}.s`,
      accessToken: `access-${generation}`,
      refreshToken,
      expiresAt: 1_000_000 + 3600_000,
    };
  };
  const transport: AuthTransport = {
    mode: "local",
    signIn: vi.fn(async (_email: string, password: string) => {
      if (password !== "right") throw new AuthError("bad", "INVALID_CREDENTIALS");
      return issue();
    }),
    refresh: vi.fn(async (refreshToken: string) => {
      await new Promise((r) => setTimeout(r, 5));
      if (revoked || !valid.has(refreshToken)) {
        revoked = true;
        throw new AuthError("refresh token reused", "SESSION_EXPIRED");
      }
      valid.delete(refreshToken);
      return issue();
    }),
    signOut: vi.fn(async () => {}),
  };
  return { transport, revoked: () => revoked };
}

describe("session auth", () => {
  it("signs in, keeps the tokens for the tab and the refresh token for new tabs", async () => {
    const browser = fakeBrowser();
    const env = browser.tab();
    const { transport } = fakeTransport();
    const auth = createSessionAuth(transport, env);
    await expect(auth.signIn("ops@example.com", "wrong")).rejects.toMatchObject({
      code: "INVALID_CREDENTIALS",
    });
    expect(auth.currentTokens()).toBeUndefined();
    const tokens = await auth.signIn("ops@example.com", "right");
    expect(auth.currentTokens()).toEqual(tokens);
    expect(hasResumableSession(browser.tab())).toBe(true);
    expect(JSON.parse(browser.shared.getItem("drso.refresh")!).refreshToken).toBe(tokens.refreshToken);
  });

  it("refreshes once for concurrent callers in a tab", async () => {
    const env = fakeBrowser().tab();
    const { transport } = fakeTransport();
    const auth = createSessionAuth(transport, env);
    await auth.signIn("ops@example.com", "right");
    const [a, b, c] = await Promise.all([auth.refresh(), auth.refresh(), auth.refresh()]);
    expect(transport.refresh).toHaveBeenCalledTimes(1);
    expect(a).toEqual(b);
    expect(b).toEqual(c);
  });

  it("two tabs refreshing at once never replay a refresh token: one refreshes, the other adopts its tokens", async () => {
    const browser = fakeBrowser();
    const fake = fakeTransport();
    const tab1 = createSessionAuth(fake.transport, browser.tab());
    const tokens = await tab1.signIn("ops@example.com", "right");
    const tab2Env = browser.tab();
    tab2Env.tabStorage.setItem("drso.tokens", JSON.stringify(tokens)); // the same session in a second tab
    const tab2 = createSessionAuth(fake.transport, tab2Env);
    const [r1, r2] = await Promise.all([tab1.refresh(), tab2.refresh()]);
    expect(fake.transport.refresh).toHaveBeenCalledTimes(1);
    expect(fake.revoked()).toBe(false);
    expect(r1.refreshToken).toBe(r2.refreshToken);
    expect(tab2.currentTokens()?.refreshToken).toBe(r1.refreshToken);
  });

  it("a tab that missed the broadcast refreshes with the newest shared refresh token, not its spent one", async () => {
    const browser = fakeBrowser();
    const fake = fakeTransport();
    const tab1 = createSessionAuth(fake.transport, browser.tab());
    const tokens = await tab1.signIn("ops@example.com", "right");
    const isolated = browser.tab();
    delete isolated.channel; // frozen tab: never hears the other tab
    isolated.tabStorage.setItem("drso.tokens", JSON.stringify(tokens));
    const tab2 = createSessionAuth(fake.transport, isolated);
    await tab1.refresh();
    const r2 = await tab2.refresh();
    expect(fake.revoked()).toBe(false);
    expect(fake.transport.refresh).toHaveBeenCalledTimes(2);
    expect(vi.mocked(fake.transport.refresh).mock.calls.map((c) => c[0])).toEqual(["refresh-1", "refresh-2"]);
    expect(r2.refreshToken).toBe("refresh-3");
  });

  it("a new tab resumes the session from the shared refresh token", async () => {
    const browser = fakeBrowser();
    const fake = fakeTransport();
    await createSessionAuth(fake.transport, browser.tab()).signIn("ops@example.com", "right");
    const fresh = createSessionAuth(fake.transport, browser.tab());
    expect(fresh.currentTokens()).toBeUndefined();
    const resumed = await fresh.refresh();
    expect(resumed.refreshToken).toBe("refresh-2");
    expect(fake.revoked()).toBe(false);
  });

  it("a rejected refresh ends the session (SESSION_EXPIRED) and clears this tab's tokens", async () => {
    const env = fakeBrowser().tab();
    const transport: AuthTransport = {
      mode: "local",
      signIn: async () => ({ idToken: "a.e30.b", accessToken: "x", refreshToken: "r", expiresAt: 2_000_000 }),
      refresh: async () => {
        throw new AuthError("revoked", "SESSION_EXPIRED");
      },
      signOut: async () => {},
    };
    const auth = createSessionAuth(transport, env);
    const seen: Array<Tokens | undefined> = [];
    auth.subscribe((t) => seen.push(t));
    await auth.signIn("ops@example.com", "right");
    await expect(auth.refresh()).rejects.toMatchObject({ code: "SESSION_EXPIRED" });
    expect(auth.currentTokens()).toBeUndefined();
    expect(seen.at(-1)).toBeUndefined();
    expect(hasResumableSession(env)).toBe(false);
  });

  it("signing out in one tab signs the other tabs out", async () => {
    const browser = fakeBrowser();
    const fake = fakeTransport();
    const tab1 = createSessionAuth(fake.transport, browser.tab());
    await tab1.signIn("ops@example.com", "right");
    const tab2 = createSessionAuth(fake.transport, browser.tab());
    await tab2.refresh();
    expect(tab1.currentTokens()).toEqual(tab2.currentTokens());
    await tab2.signOut();
    expect(tab1.currentTokens()).toBeUndefined();
    expect(fake.transport.signOut).toHaveBeenCalledTimes(1);
  });
});
