export { toDrsError } from "./drs-errors.js";
export {
  assumeRoleCredentials,
  type CredentialSource,
  createSdkDrsGatewayFactory,
  type SdkDrsGatewayOptions,
  simulatorCredentials,
  stsRegionFor,
} from "./sdk-drs-gateway.js";
export {
  createServiceQuotasReader,
  DRS_QUOTA_CODES,
  type DrsQuotas,
  type ServiceQuotasReaderOptions,
} from "./service-quotas.js";
