export * from './announce.ts';
export { createFleetServer, type FleetServerOptions } from './app.ts';
export { defaultHandlers, type EventHandler, eventApplier } from './apply.ts';
export { type ConsoleOptions, registerConsole } from './console/index.ts';
export { createEnrolmentToken, DEFAULT_TOKEN_VALIDITY_MS } from './enrolment.ts';
export {
  loadNotificationConfig,
  type NoticeRecord,
  type NotificationConfig,
  notificationCounts,
  notificationOverview,
  retryNotification,
  startNotifications,
  startNotificationWorker,
} from './notifications/index.ts';
export {
  DEFAULT_SMS_CODE_LIMITS,
  type SmsCodeLimits,
  type SmsCodeService,
  smsCodeService,
} from './sms-codes/sms-codes.ts';
export type { StorageKind } from './storage/driver.ts';
export { openPostgresStorage } from './storage/postgres.ts';
export { openSqliteStorage } from './storage/sqlite.ts';
export type * from './storage/storage.ts';
