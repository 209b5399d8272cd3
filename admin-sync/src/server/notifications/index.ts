/**
 * Notifications (issue #5): pickup code, reminders and the expired notice by e-mail and SMS.
 * `startNotifications(config, …)` is what the fleet server's CLI runs; the console uses
 * `notificationOverview`, `notificationCounts` and `retryNotification`.
 */
import type { Clock, Logger } from '@amtomat/basics';
import type { FleetStorage } from '../storage/storage.ts';
import type { NoticeChannels } from './channel.ts';
import type { NotificationConfig } from './config.ts';
import { smsGatewayChannel } from './sms-gateway.ts';
import { smtpChannel } from './smtp.ts';
import { type NotificationWorker, startNotificationWorker } from './worker.ts';

export * from './channel.ts';
export {
  type Env,
  loadNotificationConfig,
  type NotificationConfig,
  NotificationConfigSchema,
} from './config.ts';
export {
  NOTICE_STATUSES,
  type NoticeRecord,
  type NoticeStatus,
  notificationCounts,
  notificationOverview,
  type OverviewFilter,
  type RetryError,
  retryNotification,
} from './queue.ts';
export { smsGatewayChannel } from './sms-gateway.ts';
export { smtpChannel } from './smtp.ts';
export { renderNotice } from './templates.ts';
export * from './worker.ts';

/** The channels the config has, and the worker over them; stop() also closes the channels. */
export function startNotifications(
  config: NotificationConfig,
  deps: { storage: FleetStorage; logger: Logger; clock?: Pick<Clock, 'now'> },
): NotificationWorker & { channels: NoticeChannels } {
  const channels: NoticeChannels = {
    ...(config.email ? { email: smtpChannel(config.email) } : {}),
    ...(config.sms ? { sms: smsGatewayChannel(config.sms) } : {}),
  };
  const worker = startNotificationWorker({
    ...deps,
    channels,
    intervalMs: config.worker.intervalMs,
    maxAttempts: config.worker.maxAttempts,
    backoff: config.worker.backoff,
    texts: config,
  });
  deps.logger.log('info', 'notifications.started', {
    email: config.email !== undefined,
    sms: config.sms !== undefined,
    intervalMs: config.worker.intervalMs,
  });
  return {
    channels,
    runOnce: worker.runOnce,
    async stop() {
      await worker.stop();
      await Promise.all(Object.values(channels).map((channel) => channel.close?.()));
    },
  };
}
