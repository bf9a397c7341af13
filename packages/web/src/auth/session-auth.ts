import { AuthError, type AuthProvider, type AuthTransport, type Tokens } from "./types.js";

/** What the session needs from the browser; injected so that tests run it with fakes. */
export interface SessionEnvironment {
  /** Per-tab storage of the full token set (survives a reload of this tab). */
  tabStorage: Pick<Storage, "getItem" | "setItem" | "removeItem">;
  /** Shared storage of the newest refresh token, so that a new tab resumes the session. */
  sharedStorage: Pick<Storage, "getItem" | "setItem" | "removeItem">;
  /** Cross-tab exclusive lock (Web Locks API); a per-tab mutex when the browser has none. */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Cross-tab messages (BroadcastChannel); undefined when unavailable. */
  channel?: {
    postMessage(message: unknown): void;
    addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  };
  now(): number;
}

const TAB_KEY = "drso.tokens";
const SHARED_KEY = "drso.refresh";
const LOCK = "drso-token-refresh";

type Message = { type: "tokens"; tokens: Tokens } | { type: "signed-out" };

function readJson<T>(storage: Pick<Storage, "getItem">, key: string): T | undefined {
  try {
    const raw = storage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Token state shared by every tab. Refresh tokens rotate and a replayed one revokes every session of the user,
 * so a refresh runs under a cross-tab lock, re-reads the newest refresh token first (another tab may have
 * rotated it already) and broadcasts the result.
 */
export function createSessionAuth(transport: AuthTransport, env: SessionEnvironment): AuthProvider {
  let tokens: Tokens | undefined = readJson<Tokens>(env.tabStorage, TAB_KEY);
  let inFlight: Promise<Tokens> | undefined;
  const listeners = new Set<(tokens: Tokens | undefined) => void>();
  const emit = () => {
    for (const l of listeners) l(tokens);
  };

  const adopt = (next: Tokens | undefined, broadcast: boolean) => {
    tokens = next;
    if (next) {
      env.tabStorage.setItem(TAB_KEY, JSON.stringify(next));
      env.sharedStorage.setItem(
        SHARED_KEY,
        JSON.stringify({ refreshToken: next.refreshToken, email: emailOf(next) }),
      );
    } else {
      env.tabStorage.removeItem(TAB_KEY);
      env.sharedStorage.removeItem(SHARED_KEY);
    }
    if (broadcast)
      env.channel?.postMessage(
        next ? ({ type: "tokens", tokens: next } satisfies Message) : { type: "signed-out" },
      );
    emit();
  };

  env.channel?.addEventListener("message", (event) => {
    const message = event.data as Message | undefined;
    if (message?.type === "tokens") {
      tokens = message.tokens;
      env.tabStorage.setItem(TAB_KEY, JSON.stringify(message.tokens));
      emit();
    } else if (message?.type === "signed-out") {
      tokens = undefined;
      env.tabStorage.removeItem(TAB_KEY);
      emit();
    }
  });

  async function refreshUnderLock(): Promise<Tokens> {
    const spent = tokens?.refreshToken;
    return env.withLock(LOCK, async () => {
      const shared = readJson<{ refreshToken: string; email?: string }>(env.sharedStorage, SHARED_KEY);
      const tabTokens = readJson<Tokens>(env.tabStorage, TAB_KEY);
      // Another tab refreshed while we waited for the lock: its broadcast already gave us fresh tokens.
      if (
        tokens &&
        spent !== undefined &&
        tokens.refreshToken !== spent &&
        tokens.expiresAt > env.now() + 5_000
      )
        return tokens;
      if (tabTokens && tabTokens.refreshToken !== spent && tabTokens.expiresAt > env.now() + 5_000) {
        tokens = tabTokens;
        emit();
        return tabTokens;
      }
      const refreshToken = shared?.refreshToken ?? tokens?.refreshToken;
      if (!refreshToken) throw new AuthError("Not signed in.", "SESSION_EXPIRED");
      try {
        const next = await transport.refresh(
          refreshToken,
          shared?.email ?? (tokens ? emailOf(tokens) : undefined),
        );
        adopt(next, true);
        return next;
      } catch (error) {
        if (error instanceof AuthError && error.code === "NETWORK") throw error;
        // The refresh token is spent or revoked: this tab's session is over (the others find out on their own).
        tokens = undefined;
        env.tabStorage.removeItem(TAB_KEY);
        if (readJson<{ refreshToken: string }>(env.sharedStorage, SHARED_KEY)?.refreshToken === refreshToken)
          env.sharedStorage.removeItem(SHARED_KEY);
        emit();
        throw error instanceof AuthError
          ? error
          : new AuthError("Your session has ended.", "SESSION_EXPIRED");
      }
    });
  }

  return {
    mode: transport.mode,
    async signIn(email, password) {
      const next = await transport.signIn(email, password);
      adopt(next, true);
      return next;
    },
    refresh() {
      // One refresh at a time in this tab; the lock serializes tabs.
      inFlight ??= refreshUnderLock().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    async signOut() {
      const current = tokens;
      adopt(undefined, true);
      if (current) await transport.signOut(current).catch(() => undefined);
    },
    currentTokens: () => tokens,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function emailOf(tokens: Tokens): string | undefined {
  try {
    const payload = JSON.parse(
      atob((tokens.idToken.split(".")[1] ?? "").replace(/-/g, "+").replace(/_/g, "/")),
    );
    return typeof payload.email === "string" ? payload.email : undefined;
  } catch {
    return undefined;
  }
}

/** True when a session can be resumed (this tab's tokens, or another tab's refresh token). */
export function hasResumableSession(env: Pick<SessionEnvironment, "tabStorage" | "sharedStorage">): boolean {
  return Boolean(env.tabStorage.getItem(TAB_KEY) || env.sharedStorage.getItem(SHARED_KEY));
}

/** The browser's environment: Web Locks + BroadcastChannel when present, per-tab fallbacks otherwise. */
export function browserSessionEnvironment(): SessionEnvironment {
  let chain: Promise<unknown> = Promise.resolve();
  const localLock = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn, fn);
    chain = run.catch(() => undefined);
    return run;
  };
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  const channel = typeof BroadcastChannel !== "undefined" ? new BroadcastChannel("drso-auth") : undefined;
  return {
    tabStorage: sessionStorage,
    sharedStorage: localStorage,
    withLock: <T>(name: string, fn: () => Promise<T>): Promise<T> =>
      locks
        ? (locks.request(name, { mode: "exclusive" }, fn) as Promise<Awaited<T>> as Promise<T>)
        : localLock(fn),
    ...(channel ? { channel } : {}),
    now: () => Date.now(),
  };
}
