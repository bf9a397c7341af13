import Alert from "@cloudscape-design/components/alert";

/** Shown where DRS data would be, when the server runs against real DRS without AWS credentials. */
export function DrsCredentialsAlert({ detail }: { detail: string | undefined }) {
  if (!detail) return null;
  return (
    <Alert
      type="warning"
      header="No AWS credentials: DRS cannot be reached"
      data-testid="aws-credentials-missing"
    >
      {detail}
    </Alert>
  );
}
