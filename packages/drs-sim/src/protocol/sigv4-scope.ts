export interface CallerScope {
  accessKeyId?: string;
  /** Region from the SigV4 credential scope, if the request was signed. */
  region?: string;
}

const CREDENTIAL = /Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

/**
 * Reads the access key and region from `authorization: AWS4-HMAC-SHA256 Credential=<AKID>/<date>/<region>/drs/
 * aws4_request, …` (spec §1.1). Signatures are not checked.
 */
export function parseAuthorization(header: string | undefined): CallerScope {
  if (!header) return {};
  const match = CREDENTIAL.exec(header);
  if (!match) return {};
  const [, accessKeyId, , region] = match;
  return {
    ...(accessKeyId ? { accessKeyId } : {}),
    ...(region && /^[a-z0-9-]{1,32}$/.test(region) ? { region } : {}),
  };
}

/**
 * The account a request acts in: the explicit access-key mapping first; else the last 12 digits of an access
 * key that ends in 12 digits (`AKIASIM111122223333` → 111122223333); else the default account.
 */
export function accountFor(
  accessKeyId: string | undefined,
  mapping: Readonly<Record<string, string>>,
  defaultAccountId: string,
): string {
  if (!accessKeyId) return defaultAccountId;
  const mapped = mapping[accessKeyId];
  if (mapped) return mapped;
  const digits = /(\d{12})$/.exec(accessKeyId);
  return digits?.[1] ?? defaultAccountId;
}

/** Credentials that address `accountId` by the access-key convention (any secret works). */
export function credentialsFor(accountId: string): { accessKeyId: string; secretAccessKey: string } {
  if (!/^\d{12}$/.test(accountId)) throw new RangeError(`account ID must be 12 digits, got '${accountId}'`);
  return { accessKeyId: `AKIASIM${accountId}`, secretAccessKey: "sim" };
}
