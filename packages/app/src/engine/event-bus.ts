/** In-process signal that an execution has new events (live views read them from the store). */
export function createExecutionEventBus() {
  const listeners = new Map<string, Set<() => void>>();
  return {
    subscribe(executionId: string, listener: () => void): () => void {
      const set = listeners.get(executionId) ?? new Set();
      set.add(listener);
      listeners.set(executionId, set);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(executionId);
      };
    },
    publish(executionId: string) {
      for (const listener of listeners.get(executionId) ?? []) {
        try {
          listener();
        } catch {
          // A broken subscriber must not break the engine.
        }
      }
    },
  };
}

export type ExecutionEventBus = ReturnType<typeof createExecutionEventBus>;
