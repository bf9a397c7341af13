import Box from "@cloudscape-design/components/box";
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { SignInForm } from "./sign-in-form.js";

export function SignInPage({
  onSignIn,
  mode,
}: {
  onSignIn: (email: string, password: string) => Promise<void>;
  mode: string;
}) {
  return (
    <main style={{ maxWidth: 440, margin: "10vh auto", padding: "0 16px" }}>
      <SpaceBetween size="l">
        <Box variant="h1" textAlign="center">
          DRS Orchestrator
        </Box>
        <Container
          header={
            <Header
              variant="h2"
              description="Disaster recovery orchestration for AWS Elastic Disaster Recovery"
            >
              Sign in
            </Header>
          }
        >
          <SignInForm onSignIn={onSignIn} />
        </Container>
        <Box textAlign="center" color="text-body-secondary" fontSize="body-s">
          {mode === "cognito"
            ? "Signing in with Amazon Cognito."
            : "Local identity: the first administrator is set with DRSO_ADMIN_EMAIL and DRSO_ADMIN_PASSWORD."}
        </Box>
      </SpaceBetween>
    </main>
  );
}
