import { defaultProvider } from "@aws-sdk/credential-provider-node";

export interface CredentialsStatus {
  ok: boolean;
  detail: string;
}

/** How long an answer is reused: the dashboard polls health, and credentials added later show up soon. */
const CACHE_MS = 30_000;
/** A credential chain that hangs (an unreachable metadata endpoint) is reported, not waited for. */
const TIMEOUT_MS = 5000;

export const NO_CREDENTIALS =
  "DRSO_DRS_MODE=aws, but no AWS credentials were found in the default credential chain, so every call to DRS will fail. Configure them for the user that runs the server (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE with `aws configure` or `aws sso login`, or an instance role), then reload; or run with the DRS simulator (unset DRSO_DRS_MODE).";

/**
 * Whether the orchestrator's own AWS credentials (the default chain, which also signs the STS calls that
 * assume target-account roles) can be loaded. Checked at start and again at most every 30 s when asked.
 */
export function createAwsCredentialsCheck(provide: () => Promise<unknown> = defaultProvider()) {
  let last: { at: number; result: Promise<CredentialsStatus> } | undefined;
  const check = async (): Promise<CredentialsStatus> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
    });
    try {
      await Promise.race([provide(), timeout]);
      return { ok: true, detail: "AWS credentials found (default credential chain)" };
    } catch (error) {
      return { ok: false, detail: `${NO_CREDENTIALS} (${(error as Error).message})` };
    } finally {
      clearTimeout(timer);
    }
  };
  const status = () => {
    if (!last || Date.now() - last.at > CACHE_MS) last = { at: Date.now(), result: check() };
    return last.result;
  };
  void status();
  return { status };
}
