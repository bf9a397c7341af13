export {
  COGNITO_ROLE_GROUPS,
  type CognitoUserDirectoryOptions,
  cognitoGroupOfRole,
  createCognitoUserDirectory,
} from "./cognito-user-directory.js";
export {
  type CognitoVerifierOptions,
  createCognitoVerifier,
  groupsFromClaim,
  principalFromClaims,
} from "./cognito-verifier.js";
export {
  CLOCK_SKEW_SECONDS,
  createLocalIdentity,
  groupOfRole,
  type LocalIdentityDeps,
} from "./local-identity.js";
export { createLocalUserDirectory, type LocalUserDirectoryDeps } from "./local-user-directory.js";
export {
  createScryptHasher,
  DEFAULT_SCRYPT_PARAMETERS,
  type PasswordHasher,
  type ScryptParameters,
} from "./password-hasher.js";
export { assertPasswordPolicy, generatePassword } from "./password-policy.js";
export {
  createSigningKeys,
  DEFAULT_SIGNING_KEY_NAME,
  SIGNING_ALGORITHM,
  type SigningKey,
  type SigningKeys,
} from "./signing-keys.js";
