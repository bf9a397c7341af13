import { z } from "zod";

/** True when the text has no control characters (they break logs, CSV exports and terminals). */
export function isPrintable(text: string, allowLineBreaks = false): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (allowLineBreaks && (c === 9 || c === 10 || c === 13)) continue;
    if (c < 32 || c === 127) return false;
  }
  return true;
}
const printable = (s: string) => isPrintable(s);
const CONTROL = "must not contain control characters";

export const AccountIdSchema = z
  .string()
  .regex(/^\d{12}$/, "must be a 12-digit AWS account ID")
  .max(12)
  .meta({ example: "111122223333" });
export const RegionSchema = z
  .string()
  .regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/, "must be an AWS region name such as us-east-1")
  .max(32)
  .meta({ example: "us-east-1" });
export const SourceServerIdSchema = z
  .string()
  .regex(/^s-[0-9a-zA-Z]{17}$/, "must be a DRS source server ID (s- followed by 17 characters)")
  .max(19)
  .meta({ example: "s-1234567890abcdef0" });
export const UuidSchema = z.uuid().max(36);
export const NameSchema = z
  .string()
  .min(1)
  .max(128)
  .refine(printable, CONTROL)
  .refine((s) => s.trim() === s, "must not start or end with whitespace");
export const DescriptionSchema = z
  .string()
  .max(2048)
  .refine((s) => isPrintable(s, true), "must not contain control characters other than tabs and line breaks");
export const TagKeySchema = z.string().min(1).max(128).refine(printable, CONTROL);
export const TagValueSchema = z.string().max(256).refine(printable, CONTROL);
export const TagMapSchema = z
  .record(TagKeySchema, TagValueSchema)
  .refine((m) => Object.keys(m).length <= 50, "at most 50 tags");
export const IsoDateTimeSchema = z
  .string()
  .max(64)
  .meta({ format: "date-time", example: "2026-01-01T00:00:00.000Z" });

/** `key=value` as used by the seed's `tag` query filters. */
export function parseTagFilter(value: string): { key: string; value: string } | undefined {
  const at = value.indexOf("=");
  if (at <= 0) return undefined;
  return { key: value.slice(0, at), value: value.slice(at + 1) };
}

export function uniqueItems<T>(items: readonly T[]): boolean {
  return new Set(items).size === items.length;
}
