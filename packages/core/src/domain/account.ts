import { z } from "zod";
import { AccountIdSchema, IsoDateTimeSchema, NameSchema, RegionSchema, uniqueItems } from "./common.js";

export const RoleArnSchema = z
  .string()
  .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, "must be an IAM role ARN")
  .max(2048)
  .meta({ example: "arn:aws:iam::111122223333:role/DRSOrchestrationRole" });
export const ExternalIdSchema = z
  .string()
  .min(2)
  .max(1224)
  .regex(/^[\w+=,.@:/-]+$/, "must be 2-1224 characters of letters, digits and +=,.@:/-");

export const AccountInputSchema = z
  .strictObject({
    accountId: AccountIdSchema,
    name: NameSchema,
    roleArn: RoleArnSchema.optional(),
    externalId: ExternalIdSchema.optional(),
    regions: z.array(RegionSchema).min(1).max(30).refine(uniqueItems, "must not contain duplicates"),
  })
  .meta({ id: "AccountInput" });
export type AccountInput = z.infer<typeof AccountInputSchema>;

export const AccountUpdateSchema = AccountInputSchema.omit({ accountId: true }).meta({ id: "AccountUpdate" });
export type AccountUpdate = z.infer<typeof AccountUpdateSchema>;

export const AccountValidationSchema = z
  .object({
    status: z.enum(["VALID", "INVALID"]),
    checkedAt: IsoDateTimeSchema,
    message: z.string(),
    regions: z.array(
      z.object({
        region: z.string(),
        ok: z.boolean(),
        initialized: z.boolean().optional(),
        sourceServers: z.number().int().optional(),
        message: z.string().optional(),
      }),
    ),
  })
  .meta({ id: "AccountValidation" });
export type AccountValidation = z.infer<typeof AccountValidationSchema>;

export const AccountSchema = z
  .object({
    accountId: z.string(),
    name: z.string(),
    roleArn: z.string().optional(),
    externalId: z.string().optional(),
    regions: z.array(z.string()),
    lastValidation: AccountValidationSchema.optional(),
    createdAt: IsoDateTimeSchema,
    updatedAt: IsoDateTimeSchema,
    version: z.number().int(),
  })
  .meta({ id: "Account" });
export type Account = z.infer<typeof AccountSchema>;
