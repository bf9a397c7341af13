import { randomInt } from "node:crypto";
import { PasswordSchema, ValidationError } from "@drso/core";

/** Throws ValidationError naming every rule of the seed's Cognito password policy that the password breaks. */
export function assertPasswordPolicy(password: unknown, path = "password"): asserts password is string {
  const result = PasswordSchema.safeParse(password);
  if (result.success) return;
  const issues = result.error.issues.map((issue) => ({ path, message: issue.message }));
  throw new ValidationError(
    `The password does not meet the password policy: ${issues.map((i) => i.message).join("; ")}.`,
    issues,
  );
}

// Look-alike characters (0/O, 1/l/I) are left out so a printed temporary password can be typed back.
const UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ";
const LOWER = "abcdefghijkmnopqrstuvwxyz";
const DIGITS = "23456789";
const ALL = UPPER + LOWER + DIGITS;

function pick(alphabet: string): string {
  return alphabet.charAt(randomInt(alphabet.length));
}

/**
 * A random password that satisfies the policy: 20 characters (about 115 bits), at least one upper-case
 * letter, one lower-case letter and one digit, in random positions.
 */
export function generatePassword(length = 20): string {
  const chars = [pick(UPPER), pick(LOWER), pick(DIGITS)];
  while (chars.length < length) chars.push(pick(ALL));
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join("");
}
