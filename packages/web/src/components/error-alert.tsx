import Alert from "@cloudscape-design/components/alert";
import { errorMessage } from "../api/error-message.js";

export function ErrorAlert({ error, header = "Something went wrong" }: { error: unknown; header?: string }) {
  if (!error) return null;
  return (
    <Alert type="error" header={header}>
      {errorMessage(error)}
    </Alert>
  );
}
