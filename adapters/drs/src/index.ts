export { toDrsError } from "./drs-errors.js";
export {
  assumeRoleCredentials,
  type CredentialSource,
  createSdkDrsGatewayFactory,
  type SdkDrsGatewayOptions,
  simulatorCredentials,
} from "./sdk-drs-gateway.js";
