import { type DependencyList, useCallback, useEffect, useRef, useState } from "react";

export interface QueryState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): Promise<void>;
}

/**
 * Loads data through the typed client; keeps the last data while reloading, optionally polls. Small on
 * purpose: the console needs no cache library.
 */
export function useQuery<T>(
  load: () => Promise<T>,
  deps: DependencyList,
  options: { intervalMs?: number; enabled?: boolean } = {},
): QueryState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(options.enabled !== false);
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const enabled = options.enabled !== false;

  const reload = useCallback(async () => {
    const mine = ++generation.current;
    setLoading(true);
    try {
      const value = await loadRef.current();
      if (mine === generation.current) {
        setData(value);
        setError(undefined);
      }
    } catch (e) {
      if (mine === generation.current) setError(e);
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide when to reload
  useEffect(() => {
    if (!enabled) return;
    void reload();
    if (!options.intervalMs) return;
    const timer = setInterval(() => void reload(), options.intervalMs);
    return () => {
      clearInterval(timer);
      generation.current++;
    };
  }, [...deps, enabled, options.intervalMs]);

  return { data, error, loading, reload };
}
