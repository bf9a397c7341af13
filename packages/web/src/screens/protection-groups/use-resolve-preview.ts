import { type Schemas, unwrap } from "@drso/client";
import { useEffect, useState } from "react";
import { useApi } from "../../app-context.js";

export type ResolveResult = Schemas["ResolveResult"];

/** Live preview of a selection (`/protection-groups/resolve`), debounced while the user types. */
export function useResolvePreview(
  request: Schemas["ResolveRequest"] | undefined,
  delayMs = 400,
): { result?: ResolveResult; error?: unknown; loading: boolean } {
  const api = useApi();
  const [state, setState] = useState<{ result?: ResolveResult; error?: unknown; loading: boolean }>({
    loading: false,
  });
  const key = JSON.stringify(request ?? null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the serialized request is the dependency
  useEffect(() => {
    if (!request) {
      setState({ loading: false });
      return;
    }
    let cancelled = false;
    setState((s) => ({ ...s, loading: true }));
    const timer = setTimeout(async () => {
      try {
        const result = await unwrap(api.POST("/protection-groups/resolve", { body: request }));
        if (!cancelled) setState({ result, loading: false });
      } catch (error) {
        if (!cancelled) setState({ error, loading: false });
      }
    }, delayMs);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [api, key, delayMs]);
  return state;
}
