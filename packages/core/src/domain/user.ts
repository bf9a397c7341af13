import { z } from "zod";
import { ROLES } from "../rbac.js";
import { IsoDateTimeSchema } from "./common.js";

export const EmailSchema = z
  .string()
  .max(254)
  .regex(/^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/, "must be an email address")
  .transform((e) => e.toLowerCase());

/** The seed's Cognito password policy: 8+ characters with upper case, lower case and a digit. */
export const PasswordSchema = z
  .string()
  .min(8, "must be at least 8 characters")
  .max(256)
  .regex(/[A-Z]/, "must contain an upper-case letter")
  .regex(/[a-z]/, "must contain a lower-case letter")
  .regex(/[0-9]/, "must contain a digit");

export const RoleSchema = z.enum(ROLES);

export const UserCreateSchema = z
  .strictObject({ email: EmailSchema, role: RoleSchema, password: PasswordSchema.optional() })
  .meta({ id: "UserCreate" });
export type UserCreate = z.infer<typeof UserCreateSchema>;

export const UserUpdateSchema = z
  .strictObject({
    role: RoleSchema.optional(),
    password: PasswordSchema.optional(),
    disabled: z.boolean().optional(),
  })
  .meta({ id: "UserUpdate" });
export type UserUpdate = z.infer<typeof UserUpdateSchema>;

/** A user record as stored (local identity only). */
export interface UserRecord {
  userId: string;
  email: string;
  role: z.infer<typeof RoleSchema>;
  passwordHash: string;
  disabled: boolean;
  failedAttempts: number;
  lockedUntil?: string;
  lastLoginAt?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export const UserSchema = z
  .object({
    userId: z.string(),
    email: z.string(),
    role: RoleSchema,
    disabled: z.boolean(),
    locked: z.boolean(),
    lastLoginAt: IsoDateTimeSchema.optional(),
    createdAt: IsoDateTimeSchema,
    updatedAt: IsoDateTimeSchema,
    version: z.number().int(),
  })
  .meta({ id: "User" });
export type User = z.infer<typeof UserSchema>;

export interface RefreshTokenRecord {
  /** SHA-256 of the token; the token itself is never stored. */
  tokenHash: string;
  userId: string;
  issuedAt: string;
  expiresAt: string;
  revokedAt?: string;
  /**
   * The sign-in session this token belongs to (local identity: the `origin_jti` claim). Rotation keeps it,
   * so every token issued by refreshing belongs to the family of the sign-in that started it.
   */
  familyId?: string;
  /** When the session's user signed in (ISO); tokens issued by refreshing keep it as `auth_time`. */
  authTime?: string;
}
