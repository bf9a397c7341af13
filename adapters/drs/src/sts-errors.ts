import { DrsError } from "@drso/core";
import { toDrsError } from "./drs-errors.js";

/** STS error codes that are worth retrying: the same AssumeRole may succeed later. */
const STS_TRANSIENT = new Set([
  "Throttling",
  "ThrottlingException",
  "RequestLimitExceeded",
  "TooManyRequestsException",
  "InternalFailure",
  "InternalError",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "IDPCommunicationError",
]);

interface StsLikeError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

export interface AssumeRoleContext {
  roleArn: string;
  externalId?: string | undefined;
  stsRegion: string;
}

/** The account of a role ARN (`arn:aws:iam::444455556666:role/X` -> `444455556666`), if it has one. */
export function roleAccount(roleArn: string): string | undefined {
  return /^arn:aws[a-z-]*:iam::(\d{12}):role\//.exec(roleArn)?.[1];
}

/**
 * Translates what an STS AssumeRole throws into a DrsError (docs/concepts.md, "Errors"): throttling, 5xx and
 * network failures are retryable and never ambiguous (no DRS call was made); AccessDenied and the other 4xx
 * are terminal, with a message that says what to check.
 */
export function toAssumeRoleError(error: unknown, context: AssumeRoleContext): DrsError {
  const e = (typeof error === "object" && error !== null ? error : {}) as StsLikeError;
  const name = e.name ?? "Error";
  const detail = e.message || String(error);
  const status = e.$metadata?.httpStatusCode;
  const role = context.roleArn;
  const account = roleAccount(role);
  const inAccount = account ? ` in account ${account}` : "";
  if (STS_TRANSIENT.has(name) || status === 429 || (status !== undefined && status >= 500)) {
    const kind =
      name.startsWith("Thrott") || status === 429 || name.includes("Limit") ? "throttled" : "unavailable";
    return new DrsError(
      "AssumeRole",
      kind,
      `STS AssumeRole on ${role} failed, will retry: ${name}: ${detail}`,
      {
        retryable: true,
        ambiguous: false,
      },
    );
  }
  if (name === "RegionDisabledException") {
    return new DrsError(
      "AssumeRole",
      "access-denied",
      `Cannot assume ${role}: STS is not activated in ${context.stsRegion} for the orchestrator's account. Activate the region's STS endpoint (IAM account settings → Security Token Service (STS) → Endpoints), or run the orchestrator in a region where it is active.`,
      { retryable: false, ambiguous: false },
    );
  }
  if (name === "AccessDenied" || name === "AccessDeniedException" || status === 403) {
    const externalId = context.externalId
      ? "the ExternalId configured for this account (sent with the request) must match the trust policy's sts:ExternalId condition"
      : "no ExternalId is configured for this account: if the trust policy has an sts:ExternalId condition, set the account's ExternalId to its value";
    return new DrsError(
      "AssumeRole",
      "access-denied",
      `STS denied AssumeRole on ${role}${inAccount}: check that the role exists${inAccount}, that its trust policy allows the orchestrator's own role to assume it, and the ExternalId: ${externalId}. (${name}: ${detail})`,
      { retryable: false, ambiguous: false },
    );
  }
  if (status !== undefined && status >= 400) {
    return new DrsError("AssumeRole", "validation", `Cannot assume ${role}${inAccount}: ${name}: ${detail}`, {
      retryable: false,
      ambiguous: false,
    });
  }
  // No HTTP status: the network (reset, refused, timeout) or an unreadable answer. Retryable unless unknown.
  const network = toDrsError("AssumeRole", error);
  if (network.retryable || network.kind === "unavailable") {
    return new DrsError(
      "AssumeRole",
      "unavailable",
      `STS AssumeRole on ${role} did not complete, will retry: ${network.message}`,
      {
        retryable: true,
        ambiguous: false,
      },
    );
  }
  return new DrsError("AssumeRole", "unknown", `Cannot assume ${role}${inAccount}: ${name}: ${detail}`, {
    retryable: false,
    ambiguous: false,
  });
}
