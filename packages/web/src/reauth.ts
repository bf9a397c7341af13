/** Lets the API client wait for the user to sign in again while the page (and its form) stays mounted. */
export interface ReauthController {
  request(): Promise<void>;
  resolve(): void;
  subscribe(listener: (pending: boolean) => void): () => void;
}

export function createReauthController(): ReauthController {
  let waiters: Array<() => void> = [];
  const listeners = new Set<(pending: boolean) => void>();
  return {
    request() {
      const pending = new Promise<void>((resolve) => waiters.push(resolve));
      for (const l of listeners) l(true);
      return pending;
    },
    resolve() {
      const current = waiters;
      waiters = [];
      for (const w of current) w();
      for (const l of listeners) l(false);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
