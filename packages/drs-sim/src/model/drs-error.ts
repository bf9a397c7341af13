/**
 * The eight DRS exceptions (spec §1.3). The model throws these; the protocol layer turns them into restJson1
 * error responses with `x-amzn-errortype`, so the SDK rebuilds the same typed class.
 */
export type DrsExceptionName =
  | "ValidationException"
  | "UninitializedAccountException"
  | "AccessDeniedException"
  | "ResourceNotFoundException"
  | "ConflictException"
  | "ServiceQuotaExceededException"
  | "ThrottlingException"
  | "InternalServerException";

export type ResourceType = "SOURCE_SERVER" | "RECOVERY_INSTANCE" | "JOB" | "SNAPSHOT";
export type ValidationReason = "unknownOperation" | "cannotParse" | "fieldValidationFailed" | "other";

export interface FieldProblem {
  name: string;
  message: string;
}

export const EXCEPTION_STATUS: Record<DrsExceptionName, number> = {
  ValidationException: 400,
  UninitializedAccountException: 400,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ConflictException: 409,
  ServiceQuotaExceededException: 402,
  ThrottlingException: 429,
  InternalServerException: 500,
};

export interface DrsErrorFields {
  resourceId?: string;
  resourceType?: ResourceType;
  quotaCode?: string;
  serviceCode?: string;
  reason?: ValidationReason;
  fieldList?: FieldProblem[];
  /** Sent as the `Retry-After` header (an integer for InternalServerException). */
  retryAfterSeconds?: number;
}

export class DrsError extends Error {
  readonly status: number;

  constructor(
    readonly exception: DrsExceptionName,
    message: string,
    readonly fields: DrsErrorFields = {},
  ) {
    super(message);
    this.name = exception;
    this.status = EXCEPTION_STATUS[exception];
  }
}

export const QUOTA_CODES = {
  serversPerJob: "L-B827C881",
  concurrentJobs: "L-D88FAC3A",
  serversInAllJobs: "L-05AFA8C6",
  jobsPerServer: "L-DD6D028C",
  replicatingServers: "L-C1D14A2B",
  totalServers: "L-E28BE5E0",
} as const;

export const errors = {
  validation(
    message: string,
    fieldList?: FieldProblem[],
    reason: ValidationReason = "fieldValidationFailed",
  ) {
    return new DrsError("ValidationException", message, fieldList ? { reason, fieldList } : { reason });
  },
  uninitialized() {
    return new DrsError("UninitializedAccountException", "Account not initialized");
  },
  accessDenied(message = "User is not authorized to perform this action") {
    return new DrsError("AccessDeniedException", message);
  },
  notFound(resourceType: ResourceType, resourceId: string, message?: string) {
    return new DrsError(
      "ResourceNotFoundException",
      message ?? `${resourceTypeLabel(resourceType)} ${resourceId} not found`,
      { resourceId, resourceType },
    );
  },
  conflict(resourceType: ResourceType, resourceId: string, message: string) {
    return new DrsError("ConflictException", message, { resourceId, resourceType });
  },
  quota(quotaCode: string, message: string, resource?: { resourceId: string; resourceType: ResourceType }) {
    return new DrsError("ServiceQuotaExceededException", message, {
      quotaCode,
      serviceCode: "drs",
      ...(resource ?? {}),
    });
  },
};

function resourceTypeLabel(type: ResourceType): string {
  switch (type) {
    case "SOURCE_SERVER":
      return "Source server";
    case "RECOVERY_INSTANCE":
      return "Recovery instance";
    case "JOB":
      return "Job";
    case "SNAPSHOT":
      return "Recovery snapshot";
  }
}
