import { ApiError } from "@drso/client";

/** An error as the console shows it: the problem's text and its field errors, not the request. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = error.fieldErrors.map((f) => `${f.path}: ${f.message}`).join("; ");
    return fields ? `${error.summary} (${fields})` : error.summary;
  }
  return error instanceof Error ? error.message : String(error);
}
