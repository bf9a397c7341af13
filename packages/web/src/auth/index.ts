import type { RuntimeConfig } from "../config.js";
import { createCognitoTransport } from "./cognito-transport.js";
import { createLocalTransport } from "./local-transport.js";
import { browserSessionEnvironment, createSessionAuth } from "./session-auth.js";
import type { AuthProvider } from "./types.js";

export * from "./types.js";

/** The auth provider named by the runtime configuration: local identity or Cognito, same interface. */
export function createAuthProvider(config: RuntimeConfig): AuthProvider {
  const transport =
    config.auth.mode === "cognito"
      ? createCognitoTransport(config.auth)
      : createLocalTransport(config.apiUrl);
  return createSessionAuth(transport, browserSessionEnvironment());
}
