import { createRng, type Rng } from "@drso/clock";

/** FNV-1a over a string, 32 bits. */
export function fnv1a(text: string, basis = 0x811c9dc5): number {
  let hash = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * A named random stream derived from the simulator seed. It counts its draws, so a saved simulator can
 * fast-forward a fresh stream to where the old one stopped. Separate streams keep concerns apart: a
 * throttled request does not shift the next job ID, and a different fault setting does not change timings.
 */
export class SeededStream implements Rng {
  private rng: Rng;
  private count = 0;

  constructor(
    readonly seed: number,
    readonly name: string,
    skip = 0,
  ) {
    this.rng = createRng(fnv1a(`${seed}:${name}`));
    for (let i = 0; i < skip; i++) this.rng.next();
    this.count = skip;
  }

  /** Number of draws so far (persisted in the state file). */
  get draws(): number {
    return this.count;
  }

  next(): number {
    this.count++;
    return this.rng.next();
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  hex(length: number): string {
    let out = "";
    while (out.length < length) out += Math.floor(this.next() * 16).toString(16);
    return out;
  }

  /** A version-4-shaped UUID from this stream. */
  uuid(): string {
    const h = this.hex(32);
    const variant = ((Number.parseInt(h[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  /** True with probability `p` (draws only when 0 < p < 1, so disabled knobs consume nothing). */
  chance(p: number | undefined): boolean {
    if (p === undefined || !(p > 0)) return false;
    if (p >= 1) return true;
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError("pick from an empty list");
    return item;
  }
}

/** A stable hex string derived from the seed and some parts (no stream state involved). */
export function stableHex(seed: number, key: string, length: number): string {
  const a = createRng(fnv1a(`${seed}|${key}`));
  const b = createRng(fnv1a(`${key}|${seed}`, 0x01000193));
  let out = "";
  let flip = false;
  while (out.length < length) {
    out += Math.floor((flip ? b : a).next() * 16).toString(16);
    flip = !flip;
  }
  return out;
}

/** A stable number in [0, 1) derived from the seed and a key. */
export function stableUnit(seed: number, key: string): number {
  return createRng(fnv1a(`${seed}#${key}`)).next();
}
