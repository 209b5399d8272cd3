/**
 * The API version is part of every path, so a fleet server can serve old terminals (`/v1`)
 * and new ones (`/v2`) side by side during a rollout. `/healthz` is unversioned.
 */
export const API_VERSION = 'v1';

const base = `/${API_VERSION}`;

export const paths = {
  healthz: '/healthz',
  enrol: `${base}/enrol`,
  /** POST a push batch (signed). */
  events: (deviceId: string) => `${base}/devices/${encodeURIComponent(deviceId)}/events`,
  /** GET the change feed after a cursor (signed); query `after`, `limit`. */
  feed: (deviceId: string) => `${base}/devices/${encodeURIComponent(deviceId)}/feed`,
  /** POST an acknowledgement by cursor (signed). */
  feedAck: (deviceId: string) => `${base}/devices/${encodeURIComponent(deviceId)}/feed/ack`,
  /** POST the terminal's status (signed). */
  status: (deviceId: string) => `${base}/devices/${encodeURIComponent(deviceId)}/status`,
  /** POST a mobile number: the fleet sends an SMS code (signed). */
  smsCodes: (deviceId: string) => `${base}/devices/${encodeURIComponent(deviceId)}/sms-codes`,
  /** POST: the same challenge sends a new code (signed). */
  smsCodeResend: (deviceId: string, challengeId: string) =>
    `${base}/devices/${encodeURIComponent(deviceId)}/sms-codes/${encodeURIComponent(challengeId)}/resend`,
  /** POST the code the citizen typed (signed). */
  smsCodeVerify: (deviceId: string, challengeId: string) =>
    `${base}/devices/${encodeURIComponent(deviceId)}/sms-codes/${encodeURIComponent(challengeId)}/verify`,
} as const;

/** Route patterns as the server registers them. */
export const routes = {
  healthz: paths.healthz,
  enrol: paths.enrol,
  events: `${base}/devices/:deviceId/events`,
  feed: `${base}/devices/:deviceId/feed`,
  feedAck: `${base}/devices/:deviceId/feed/ack`,
  status: `${base}/devices/:deviceId/status`,
  smsCodes: `${base}/devices/:deviceId/sms-codes`,
  smsCodeResend: `${base}/devices/:deviceId/sms-codes/:challengeId/resend`,
  smsCodeVerify: `${base}/devices/:deviceId/sms-codes/:challengeId/verify`,
} as const;
