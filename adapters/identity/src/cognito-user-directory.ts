import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  AdminUserGlobalSignOutCommand,
  type AttributeType,
  type CognitoIdentityProviderClient,
  ListUsersCommand,
  type UserType,
} from "@aws-sdk/client-cognito-identity-provider";
import {
  AppError,
  ConflictError,
  EmailSchema,
  isRole,
  NotFoundError,
  ROLES,
  type Role,
  RoleSchema,
  roleFromClaims,
  UpstreamError,
  type User,
  type UserDirectory,
  ValidationError,
} from "@drso/core";
import { assertPasswordPolicy, generatePassword } from "./password-policy.js";

export interface CognitoUserDirectoryOptions {
  client: CognitoIdentityProviderClient;
  userPoolId: string;
  /** The group each role's users join; defaults to COGNITO_ROLE_GROUPS. */
  roleGroups?: Partial<Record<Role, string>>;
  /** ListUsers page size, 1-60 (Cognito's maximum, the default). */
  listPageSize?: number;
}

/**
 * The Cognito group of each role (the seed's `cognito:groups`). The CDK stack creates these groups; the
 * directory adds each user to its role's group and sets `custom:role`, so both ID tokens (which carry
 * `custom:role`) and access tokens (which carry only groups) name the role.
 */
export const COGNITO_ROLE_GROUPS: Readonly<Record<Role, string>> = {
  DRSAdmin: "DRSAdmins",
  DRSOperator: "DRSOperators",
  DRSViewer: "DRSViewers",
  DRSAuditor: "DRSAuditors",
  DRSCrossAccount: "DRSCrossAccount",
};

const ADMIN_ROLE: Role = "DRSAdmin";
const userNotFound = (userId: string) => new NotFoundError("user", userId, "USER_NOT_FOUND");
const emailTaken = (email: string) =>
  new ConflictError("ALREADY_EXISTS", `A user with the e-mail address '${email}' already exists.`, { email });
const lastAdmin = () =>
  new ConflictError(
    "LAST_ADMIN",
    "This is the last enabled DRSAdmin: it cannot be deleted, disabled or given another role.",
  );

interface CognitoUser {
  username: string;
  user: User;
}

function errorName(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "name" in error
    ? String((error as { name: unknown }).name)
    : undefined;
}

/** Cognito errors as the core's errors. */
function translate(error: unknown, userId?: string): unknown {
  if (error instanceof AppError) return error;
  const name = errorName(error);
  const message = error instanceof Error ? error.message : String(error);
  switch (name) {
    case "UserNotFoundException":
      return userNotFound(userId ?? "?");
    case "UsernameExistsException":
    case "AliasExistsException":
      return new ConflictError("ALREADY_EXISTS", "A user with this e-mail address already exists.");
    case "InvalidPasswordException":
      return new ValidationError(`The password was refused: ${message}`, [{ path: "password", message }]);
    case "InvalidParameterException":
      return new ValidationError(`Cognito refused the request: ${message}`);
    case "TooManyRequestsException":
    case "LimitExceededException":
    case "InternalErrorException":
      return new UpstreamError("IDENTITY_BUSY", `Cognito is busy (${name}); try again.`, 503);
    case "NotAuthorizedException":
    case "AccessDeniedException":
    case "ResourceNotFoundException":
      return new UpstreamError("IDENTITY_MISCONFIGURED", `Cognito refused the request: ${message}`, 502);
    default:
      return new UpstreamError("IDENTITY_ERROR", `Cognito failed (${name ?? "error"}): ${message}`, 502);
  }
}

function attribute(attributes: AttributeType[] | undefined, name: string): string | undefined {
  return attributes?.find((a) => a.Name === name)?.Value;
}

function parseEmail(email: unknown): string {
  const result = EmailSchema.safeParse(typeof email === "string" ? email.trim() : email);
  if (!result.success) {
    throw new ValidationError("The e-mail address is not valid.", [
      { path: "email", message: result.error.issues[0]?.message ?? "must be an email address" },
    ]);
  }
  return result.data;
}

function parseRole(role: unknown): Role {
  const result = RoleSchema.safeParse(role);
  if (!result.success) {
    throw new ValidationError("The role is not valid.", [{ path: "role", message: "must be a known role" }]);
  }
  return result.data;
}

/**
 * User administration on a Cognito user pool whose users sign in with their e-mail address. A user's
 * `userId` is its `sub` (the subject of its tokens). Roles live in `custom:role` and in the role's group.
 *
 * - `create` without a password: Cognito's temporary password (the user must set a new one at first sign-in,
 *   the NEW_PASSWORD_REQUIRED challenge), generated here and returned once; Cognito's invitation e-mail is
 *   suppressed because the caller hands the password over. With a password: set as permanent.
 * - A new password or a disable signs the user out everywhere (AdminUserGlobalSignOut revokes refresh
 *   tokens; issued ID/access tokens run out within their 45-minute lifetime).
 * - LAST_ADMIN: checked before the change and, for a demotion or disable, again after it (the change is
 *   undone if no enabled DRSAdmin is left), since Cognito has no transactions. Within one process changes
 *   are also serialised. Two admins deleting each other in the same instant from two processes could still
 *   both succeed; `ensureInitialAdmin` (the create-admin command) restores access.
 * - Cognito does not expose lockouts or last sign-in to admin APIs: `locked` is false and `lastLoginAt`
 *   absent. `version` is the last-modified time in milliseconds.
 */
export function createCognitoUserDirectory(options: CognitoUserDirectoryOptions): UserDirectory {
  const { client, userPoolId } = options;
  const groups: Record<Role, string> = { ...COGNITO_ROLE_GROUPS, ...options.roleGroups };
  const roleOfGroup = new Map<string, Role>(
    Object.entries(groups).map(([role, group]) => [group, role as Role]),
  );
  const pageSize = Math.min(60, Math.max(1, Math.floor(options.listPageSize ?? 60)));
  let queue: Promise<unknown> = Promise.resolve();

  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = queue.then(work, work);
    queue = result.catch(() => undefined);
    return result;
  }

  async function call<T>(work: () => Promise<T>, userId?: string): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw translate(error, userId);
    }
  }

  async function groupsOf(username: string): Promise<string[]> {
    const names: string[] = [];
    let next: string | undefined;
    do {
      const out = await client.send(
        new AdminListGroupsForUserCommand({
          UserPoolId: userPoolId,
          Username: username,
          ...(next ? { NextToken: next } : {}),
        }),
      );
      for (const g of out.Groups ?? []) if (g.GroupName) names.push(g.GroupName);
      next = out.NextToken;
    } while (next);
    return names;
  }

  async function toUser(raw: UserType): Promise<CognitoUser | undefined> {
    const attributes = raw.Attributes;
    const sub = attribute(attributes, "sub");
    const username = raw.Username;
    if (!sub || !username) return undefined;
    let role = roleFromClaims({ "custom:role": attribute(attributes, "custom:role") });
    if (role === undefined) {
      const memberOf = await groupsOf(username);
      role =
        ROLES.find((r) => memberOf.some((g) => roleOfGroup.get(g) === r)) ??
        roleFromClaims({ "cognito:groups": memberOf }) ??
        // A user without any role has no permissions; shown with the least-privileged role.
        "DRSViewer";
    }
    const created = raw.UserCreateDate ?? new Date(0);
    const modified = raw.UserLastModifiedDate ?? created;
    return {
      username,
      user: {
        userId: sub,
        email: attribute(attributes, "email") ?? username,
        role,
        disabled: raw.Enabled === false,
        locked: false,
        createdAt: created.toISOString(),
        updatedAt: modified.toISOString(),
        version: modified.getTime(),
      },
    };
  }

  async function listAll(): Promise<CognitoUser[]> {
    const users: CognitoUser[] = [];
    let token: string | undefined;
    do {
      const out = await client.send(
        new ListUsersCommand({
          UserPoolId: userPoolId,
          Limit: pageSize,
          ...(token ? { PaginationToken: token } : {}),
        }),
      );
      for (const raw of out.Users ?? []) {
        const user = await toUser(raw);
        if (user) users.push(user);
      }
      token = out.PaginationToken;
    } while (token);
    return users.sort((a, b) => (a.user.email < b.user.email ? -1 : a.user.email > b.user.email ? 1 : 0));
  }

  async function find(userId: string): Promise<CognitoUser | undefined> {
    // The ID goes into a ListUsers filter: only a sub's characters are allowed.
    if (typeof userId !== "string" || !/^[A-Za-z0-9-]{1,128}$/.test(userId)) return undefined;
    const out = await client.send(
      new ListUsersCommand({ UserPoolId: userPoolId, Filter: `sub = "${userId}"`, Limit: 1 }),
    );
    const raw = out.Users?.[0];
    return raw ? toUser(raw) : undefined;
  }

  async function otherEnabledAdmins(userId: string): Promise<number> {
    return (await listAll()).filter(
      (u) => u.user.userId !== userId && u.user.role === ADMIN_ROLE && !u.user.disabled,
    ).length;
  }

  async function setRole(username: string, role: Role): Promise<void> {
    await client.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: userPoolId,
        Username: username,
        UserAttributes: [{ Name: "custom:role", Value: role }],
      }),
    );
    const current = await groupsOf(username);
    for (const group of current) {
      const groupRole = roleOfGroup.get(group);
      if (groupRole !== undefined && groupRole !== role) {
        await client.send(
          new AdminRemoveUserFromGroupCommand({
            UserPoolId: userPoolId,
            Username: username,
            GroupName: group,
          }),
        );
      }
    }
    if (!current.includes(groups[role])) {
      await client.send(
        new AdminAddUserToGroupCommand({
          UserPoolId: userPoolId,
          Username: username,
          GroupName: groups[role],
        }),
      );
    }
  }

  async function createUser(email: string, role: Role, password: string | undefined) {
    const temporaryPassword = password === undefined ? generatePassword() : undefined;
    const out = await client.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: email,
        UserAttributes: [
          { Name: "email", Value: email },
          { Name: "email_verified", Value: "true" },
          { Name: "custom:role", Value: role },
        ],
        TemporaryPassword: temporaryPassword ?? generatePassword(),
        MessageAction: "SUPPRESS",
      }),
    );
    const username = out.User?.Username ?? email;
    try {
      await client.send(
        new AdminAddUserToGroupCommand({
          UserPoolId: userPoolId,
          Username: username,
          GroupName: groups[role],
        }),
      );
      if (password !== undefined) {
        await client.send(
          new AdminSetUserPasswordCommand({
            UserPoolId: userPoolId,
            Username: username,
            Password: password,
            Permanent: true,
          }),
        );
      }
    } catch (error) {
      // Do not leave a half-made user behind (e.g. a password Cognito's own policy refuses).
      await client
        .send(new AdminDeleteUserCommand({ UserPoolId: userPoolId, Username: username }))
        .catch(() => {});
      throw error;
    }
    const created = (out.User && (await toUser(out.User))) ?? undefined;
    if (!created)
      throw new UpstreamError("IDENTITY_ERROR", "Cognito created the user but returned no sub.", 502);
    return { user: { ...created.user, role }, temporaryPassword };
  }

  return {
    async list() {
      return call(async () => (await listAll()).map((u) => u.user));
    },

    async get(userId) {
      return call(async () => (await find(userId))?.user, userId);
    },

    async create(input) {
      const email = parseEmail(input.email);
      const role = parseRole(input.role);
      if (input.password !== undefined) assertPasswordPolicy(input.password);
      return exclusive(() =>
        call(async () => {
          try {
            const { user, temporaryPassword } = await createUser(email, role, input.password);
            return temporaryPassword === undefined ? { user } : { user, temporaryPassword };
          } catch (error) {
            const translated = translate(error);
            if (translated instanceof ConflictError && translated.code === "ALREADY_EXISTS")
              throw emailTaken(email);
            throw translated;
          }
        }),
      );
    },

    async update(userId, input) {
      const role = input.role === undefined ? undefined : parseRole(input.role);
      if (input.password !== undefined) assertPasswordPolicy(input.password);
      if (input.disabled !== undefined && typeof input.disabled !== "boolean") {
        throw new ValidationError("disabled must be true or false.", [
          { path: "disabled", message: "must be a boolean" },
        ]);
      }
      return exclusive(() =>
        call(async () => {
          const current = await find(userId);
          if (!current) throw userNotFound(userId);
          const before = current.user;
          const wasEnabledAdmin = before.role === ADMIN_ROLE && !before.disabled;
          const losesAdmin =
            wasEnabledAdmin && ((role !== undefined && role !== ADMIN_ROLE) || input.disabled === true);
          if (losesAdmin && (await otherEnabledAdmins(userId)) === 0) throw lastAdmin();

          const username = current.username;
          if (role !== undefined && role !== before.role) await setRole(username, role);
          if (input.password !== undefined) {
            await client.send(
              new AdminSetUserPasswordCommand({
                UserPoolId: userPoolId,
                Username: username,
                Password: input.password,
                Permanent: true,
              }),
            );
          }
          if (input.disabled === true && !before.disabled) {
            await client.send(new AdminDisableUserCommand({ UserPoolId: userPoolId, Username: username }));
          } else if (input.disabled === false && before.disabled) {
            await client.send(new AdminEnableUserCommand({ UserPoolId: userPoolId, Username: username }));
          }
          if (losesAdmin && (await otherEnabledAdmins(userId)) === 0) {
            // Someone else demoted the other admins meanwhile: undo this change rather than lock everyone out.
            if (role !== undefined && role !== before.role) await setRole(username, before.role);
            if (input.disabled === true) {
              await client.send(new AdminEnableUserCommand({ UserPoolId: userPoolId, Username: username }));
            }
            throw lastAdmin();
          }
          if (input.password !== undefined || (input.disabled === true && !before.disabled)) {
            await client.send(
              new AdminUserGlobalSignOutCommand({ UserPoolId: userPoolId, Username: username }),
            );
          }
          const after = await find(userId);
          if (!after) throw userNotFound(userId);
          return after.user;
        }, userId),
      );
    },

    async delete(userId) {
      return exclusive(() =>
        call(async () => {
          const current = await find(userId);
          if (!current) throw userNotFound(userId);
          const { user } = current;
          if (user.role === ADMIN_ROLE && !user.disabled && (await otherEnabledAdmins(userId)) === 0) {
            throw lastAdmin();
          }
          await client.send(
            new AdminDeleteUserCommand({ UserPoolId: userPoolId, Username: current.username }),
          );
        }, userId),
      );
    },

    async ensureInitialAdmin(email, password) {
      const adminEmail = parseEmail(email);
      if (password !== undefined) assertPasswordPolicy(password);
      return exclusive(() =>
        call(async () => {
          const any = await client.send(new ListUsersCommand({ UserPoolId: userPoolId, Limit: 1 }));
          if ((any.Users ?? []).length > 0) return undefined;
          try {
            const { user, temporaryPassword } = await createUser(adminEmail, ADMIN_ROLE, password);
            return temporaryPassword === undefined
              ? { user }
              : { user, generatedPassword: temporaryPassword };
          } catch (error) {
            // Another process created the same first admin at the same moment.
            if (errorName(error) === "UsernameExistsException") return undefined;
            throw error;
          }
        }),
      );
    },
  };
}

/** For callers that hold a role name from elsewhere (e.g. a CLI flag). */
export function cognitoGroupOfRole(
  role: string,
  roleGroups: Partial<Record<Role, string>> = {},
): string | undefined {
  return isRole(role) ? ({ ...COGNITO_ROLE_GROUPS, ...roleGroups } as Record<Role, string>)[role] : undefined;
}
