import Alert from "@cloudscape-design/components/alert";
import Button from "@cloudscape-design/components/button";
import Form from "@cloudscape-design/components/form";
import FormField from "@cloudscape-design/components/form-field";
import Input from "@cloudscape-design/components/input";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { useState } from "react";
import { AuthError } from "../../auth/types.js";

/** Email + password, shared by the sign-in page and the session-expired modal. */
export function SignInForm({
  onSignIn,
  initialEmail = "",
  submitLabel = "Sign in",
  lockEmail = false,
}: {
  onSignIn: (email: string, password: string) => Promise<void>;
  initialEmail?: string;
  submitLabel?: string;
  lockEmail?: boolean;
}) {
  const [email, setEmail] = useState(initialEmail);
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setError(undefined);
    if (!email || !password) {
      setError("Enter your email and password.");
      return;
    }
    setBusy(true);
    try {
      await onSignIn(email.trim(), password);
    } catch (e) {
      setError(
        e instanceof AuthError && e.code === "INVALID_CREDENTIALS"
          ? "Incorrect email or password."
          : (e as Error).message,
      );
      setBusy(false);
    }
  };
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <Form
        actions={
          <Button variant="primary" formAction="submit" loading={busy} data-testid="sign-in-submit">
            {submitLabel}
          </Button>
        }
      >
        <SpaceBetween size="m">
          {error ? (
            <Alert type="error" data-testid="sign-in-error">
              {error}
            </Alert>
          ) : null}
          <FormField label="Email">
            <Input
              value={email}
              type="email"
              inputMode="email"
              autoComplete="username"
              disabled={lockEmail}
              onChange={(e) => setEmail(e.detail.value)}
              ariaRequired
              data-testid="sign-in-email"
            />
          </FormField>
          <FormField label="Password">
            <Input
              value={password}
              type="password"
              autoComplete="current-password"
              onChange={(e) => setPassword(e.detail.value)}
              ariaRequired
              data-testid="sign-in-password"
            />
          </FormField>
        </SpaceBetween>
      </Form>
    </form>
  );
}
