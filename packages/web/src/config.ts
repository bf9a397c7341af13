/** The runtime configuration served next to the console (`/aws-config.json`): never baked into the bundle. */
export type AuthConfig =
  | { mode: "local" }
  | { mode: "cognito"; userPoolId: string; clientId: string; region: string };

export interface RuntimeConfig {
  apiUrl: string;
  auth: AuthConfig;
  version?: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Validates the document by hand (no schema library in the bundle) and names the field that is wrong. */
export function parseRuntimeConfig(value: unknown): RuntimeConfig {
  if (!isRecord(value)) throw new Error("aws-config.json: expected a JSON object");
  const apiUrl = value.apiUrl;
  if (typeof apiUrl !== "string" || apiUrl === "") throw new Error("aws-config.json: apiUrl is required");
  const auth = value.auth;
  if (!isRecord(auth)) throw new Error("aws-config.json: auth is required");
  let parsed: AuthConfig;
  if (auth.mode === "local") parsed = { mode: "local" };
  else if (auth.mode === "cognito") {
    for (const key of ["userPoolId", "clientId", "region"] as const)
      if (typeof auth[key] !== "string" || auth[key] === "")
        throw new Error(`aws-config.json: auth.${key} is required in cognito mode`);
    parsed = {
      mode: "cognito",
      userPoolId: auth.userPoolId as string,
      clientId: auth.clientId as string,
      region: auth.region as string,
    };
  } else throw new Error(`aws-config.json: auth.mode must be "local" or "cognito"`);
  return {
    apiUrl: apiUrl.replace(/\/$/, ""),
    auth: parsed,
    ...(typeof value.version === "number" ? { version: value.version } : {}),
  };
}

export async function loadRuntimeConfig(fetchImpl: typeof fetch = fetch): Promise<RuntimeConfig> {
  const response = await fetchImpl("/aws-config.json");
  if (!response.ok) throw new Error(`aws-config.json: HTTP ${response.status}`);
  return parseRuntimeConfig(await response.json());
}
