import { applyDensity, applyMode, Density, Mode } from "@cloudscape-design/global-styles";
import { useCallback, useEffect, useState } from "react";

const KEY = "drso.visualMode";

function initialMode(): Mode {
  const saved = localStorage.getItem(KEY);
  if (saved === "dark") return Mode.Dark;
  if (saved === "light") return Mode.Light;
  return window.matchMedia?.("(prefers-color-scheme: dark)").matches ? Mode.Dark : Mode.Light;
}

/** Cloudscape's visual modes: light/dark (remembered), comfortable density. */
export function useVisualMode(): { mode: Mode; toggle(): void } {
  const [mode, setMode] = useState<Mode>(initialMode);
  useEffect(() => {
    applyMode(mode);
    applyDensity(Density.Comfortable);
  }, [mode]);
  const toggle = useCallback(() => {
    setMode((m) => {
      const next = m === Mode.Dark ? Mode.Light : Mode.Dark;
      localStorage.setItem(KEY, next === Mode.Dark ? "dark" : "light");
      return next;
    });
  }, []);
  return { mode, toggle };
}
