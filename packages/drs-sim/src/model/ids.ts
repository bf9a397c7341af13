import type { SeededStream } from "./seeded-stream.js";

/** Resource kinds that carry an ARN (spec §3). */
export type ArnResource = "source-server" | "job" | "recovery-instance";

export function arnFor(region: string, accountId: string, resource: ArnResource, id: string): string {
  return `arn:aws:drs:${region}:${accountId}:${resource}/${id}`;
}

export interface ParsedArn {
  region: string;
  accountId: string;
  resource: string;
  id: string;
}

/** Parses a DRS ARN; returns undefined if it is not one. */
export function parseDrsArn(arn: string): ParsedArn | undefined {
  const match = /^arn:aws[a-z-]*:drs:([a-z0-9-]+):(\d{12}):([a-z-]+)\/(.+)$/.exec(arn);
  if (!match) return undefined;
  const [, region, accountId, resource, id] = match;
  if (!region || !accountId || !resource || !id) return undefined;
  return { region, accountId, resource, id };
}

/**
 * Issues resource IDs from the seeded "ids" stream, so the same seed and the same sequence of calls give
 * the same IDs. Remembers what it issued to rule out a (very unlikely) repeat.
 */
export class IdFactory {
  private issued = new Set<string>();

  constructor(private readonly stream: SeededStream) {}

  private fresh(prefix: string, length: number): string {
    for (;;) {
      const id = prefix + this.stream.hex(length);
      if (!this.issued.has(id)) {
        this.issued.add(id);
        return id;
      }
    }
  }

  /** Marks IDs loaded from a state file as taken. */
  reserve(id: string): void {
    this.issued.add(id);
  }

  sourceServer(): string {
    return this.fresh("s-", 17);
  }
  job(): string {
    return this.fresh("drsjob-", 17);
  }
  instance(): string {
    return this.fresh("i-", 17);
  }
  launchTemplate(): string {
    return this.fresh("lt-", 17);
  }
  volume(): string {
    return this.fresh("vol-", 17);
  }
  failbackClient(): string {
    return this.fresh("fbc-", 17);
  }
  uuid(): string {
    return this.stream.uuid();
  }
}
