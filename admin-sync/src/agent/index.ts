export {
  createSyncAgent,
  DEFAULT_INTERVAL_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type SyncAgent,
  type SyncAgentOptions,
  type SyncState,
} from './agent.ts';
export { type BackoffOptions, backoffDelayMs } from './backoff.ts';
export {
  type CredentialsPort,
  type DeviceIdentity,
  DeviceIdentitySchema,
  type EnrolFailure,
  type EnrolOptions,
  enrolDevice,
  fileCredentials,
  IDENTITY_FILE,
} from './credentials.ts';
export type { Fetch } from './http.ts';
export * from './ports.ts';
export {
  SMS_CODE_TIMEOUT_MS,
  type SmsCodeClient,
  type SmsCodeFailure,
  smsCodeClient,
} from './sms-codes.ts';
export type { PushTally, SyncProblem } from './steps.ts';
