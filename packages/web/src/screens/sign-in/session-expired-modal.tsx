import Alert from "@cloudscape-design/components/alert";
import Modal from "@cloudscape-design/components/modal";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { SignInForm } from "./sign-in-form.js";

/** Shown over the current page when the session ends: signing in again keeps whatever was being edited. */
export function SessionExpiredModal({
  email,
  onSignIn,
}: {
  email: string;
  onSignIn: (email: string, password: string) => Promise<void>;
}) {
  return (
    <Modal visible header="Your session has ended" onDismiss={() => {}} data-testid="session-expired-modal">
      <SpaceBetween size="m">
        <Alert type="info">Sign in again to continue. Nothing on this page is lost.</Alert>
        <SignInForm onSignIn={onSignIn} initialEmail={email} lockEmail submitLabel="Sign in and continue" />
      </SpaceBetween>
    </Modal>
  );
}
