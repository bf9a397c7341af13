import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import type { SimConfig } from "../faults/sim-config.js";
import type { SimulationSnapshot } from "../model/simulation.js";

/** What the optional state file holds: enough to restart the simulator where it stopped. */
export interface StateFileContent {
  format: "drs-sim-state";
  version: 1;
  savedAt: string;
  /** Simulator-clock time when saved. */
  clockNow: number;
  timeScale: number;
  config: SimConfig;
  simulation: SimulationSnapshot;
}

export function readStateFile(path: string): StateFileContent | undefined {
  if (!existsSync(path)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(
      `state file ${path} is not valid JSON (${(error as Error).message}); move it away to start fresh`,
    );
  }
  const content = parsed as Partial<StateFileContent>;
  if (content.format !== "drs-sim-state" || content.version !== 1 || !content.simulation || !content.config) {
    throw new Error(`state file ${path} is not a drs-sim state file (version 1)`);
  }
  return content as StateFileContent;
}

function tempPath(path: string): string {
  return `${path}.${process.pid}.tmp`;
}

/** Writes atomically: a temporary file, then a rename over the old one. */
export async function writeStateFile(path: string, content: StateFileContent): Promise<void> {
  const temp = tempPath(path);
  await writeFile(temp, JSON.stringify(content));
  await rename(temp, path);
}

export function writeStateFileSync(path: string, content: StateFileContent): void {
  const temp = tempPath(path);
  writeFileSync(temp, JSON.stringify(content));
  renameSync(temp, path);
}

/**
 * Debounced saving: changes mark the state dirty; it is written at most every `debounceMs` (wall time), and
 * once more on close. Writes never overlap.
 */
export class StateSaver {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private writing: Promise<void> | undefined;
  private dirty = false;

  constructor(
    private readonly path: string,
    private readonly content: () => StateFileContent,
    private readonly debounceMs = 1_000,
    private readonly onError: (error: unknown) => void = (error) =>
      console.error("drs-sim: saving state failed", error),
  ) {}

  markDirty(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.debounceMs);
    this.timer.unref?.();
  }

  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.writing) await this.writing;
    if (!this.dirty) return;
    this.dirty = false;
    this.writing = writeStateFile(this.path, this.content())
      .catch((error) => this.onError(error))
      .finally(() => {
        this.writing = undefined;
      });
    await this.writing;
  }

  /** Saves now (even if nothing changed) and stops the timer. */
  async close(): Promise<void> {
    this.dirty = true;
    await this.flush();
  }
}
