import type { Execution, Store } from "@drso/core";

/** What a reader saw while a saver saved the same execution. */
export interface ReadRace {
  saves: number;
  reads: number;
  /** Reads that threw or found nothing. */
  failures: string[];
  /** Reads whose document is not the version it claims (a mix of two saves). */
  mixed: string[];
  /** Each read's duration, ms. */
  readMs: number[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/**
 * A saver and a reader side by side on one execution: the saver saves `saves` versions (at `savesPerSecond`, or
 * as fast as it can), each with `planName` = `v<version>`; the reader reads it (at `readsPerSecond`, or as fast
 * as it can) until the saver is done and checks that every read is one whole saved version.
 */
export async function raceReadsAndSaves(
  store: Store,
  first: Execution,
  options: { saves: number; savesPerSecond?: number; readsPerSecond?: number },
): Promise<ReadRace> {
  let e = await store.executions.create({ ...first, planName: "v1" });
  const race: ReadRace = { saves: 0, reads: 0, failures: [], mixed: [], readMs: [] };
  let saving = true;
  const saver = (async () => {
    try {
      const started = performance.now();
      for (let n = 0; n < options.saves; n++) {
        if (options.savesPerSecond)
          await sleep(started + (n * 1000) / options.savesPerSecond - performance.now());
        e = await store.executions.save({ ...e, planName: `v${e.version + 1}` }, e.version);
        race.saves += 1;
      }
    } finally {
      saving = false;
    }
  })();
  const reader = (async () => {
    const started = performance.now();
    for (let n = 0; saving; n++) {
      if (options.readsPerSecond)
        await sleep(started + (n * 1000) / options.readsPerSecond - performance.now());
      else await new Promise((r) => setImmediate(r));
      const at = performance.now();
      try {
        const got = await store.executions.get(e.executionId);
        race.readMs.push(performance.now() - at);
        race.reads += 1;
        if (!got) race.failures.push("not found");
        else if (got.planName !== `v${got.version}`) race.mixed.push(`${got.version}: ${got.planName}`);
      } catch (error) {
        race.failures.push(String(error));
      }
    }
  })();
  await Promise.all([saver, reader]);
  return race;
}
