export type TimestampStyle = "offset" | "zulu";

/**
 * Formats an instant as DRS does (spec §1.2): `2025-11-28T22:34:06.632000+00:00` by default (the style a real
 * StartRecovery response showed), or `2025-11-28T22:34:06.632Z`.
 */
export function formatTime(ms: number, style: TimestampStyle): string {
  const cache = FORMATTED[style];
  let text = cache.get(ms);
  if (text === undefined) {
    const iso = new Date(ms).toISOString();
    text = style === "zulu" ? iso : `${iso.slice(0, 23)}000+00:00`;
    // Large fleets render the same instants over and over; Date#toISOString dominates rendering without this.
    if (cache.size >= 100_000) cache.clear();
    cache.set(ms, text);
  }
  return text;
}

const FORMATTED: Record<TimestampStyle, Map<number, string>> = { offset: new Map(), zulu: new Map() };

const ISO_INPUT =
  /^[1-9][0-9]*-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-]00:00)$/;

/** Whether a filter string is an accepted date-time: the model's Z form, or the +00:00 form DRS emits. */
export function isIsoDateTime(value: string): boolean {
  return value.length >= 19 && value.length <= 32 && ISO_INPUT.test(value);
}

/** Parses a date-time filter (either style) to epoch ms; undefined if it is not one. */
export function parseIsoDateTime(value: string): number | undefined {
  if (!isIsoDateTime(value)) return undefined;
  const ms = Date.parse(value.replace(/\.(\d{3})\d*/, ".$1"));
  return Number.isFinite(ms) ? ms : undefined;
}
