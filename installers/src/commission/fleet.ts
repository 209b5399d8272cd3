/**
 * The network check and the enrolment, as the kiosk's sync would do them at its first start
 * (admin-sync's enrolDevice, the same identity folder `<data>/sync/` and the store's code
 * key), so the kiosk later finds itself enrolled and needs no token in the site file.
 */
import { join } from 'node:path';
import { enrolDevice, fileCredentials } from '@amtomat/admin-sync/agent';
import { err, ok, type Result } from '@amtomat/basics';
import { createHasher, loadOrCreateDeviceSecret } from '../../../kiosk/src/store/secret.ts';
import { t } from './i18n.ts';

/** One line on what is wrong with the network, or nothing. */
export async function checkFleet(url: string): Promise<Result<void, string>> {
  try {
    const reply = await fetch(new URL('/healthz', url), { signal: AbortSignal.timeout(5000) });
    if (reply.ok) return ok(undefined);
    return err(t('fleet.answeredStatus', { url, status: reply.status }));
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    const why = cause ?? (error as Error).name;
    const hint =
      cause === 'ENOTFOUND' || cause === 'EAI_AGAIN'
        ? t('fleet.unknownName')
        : t('fleet.checkNetwork');
    return err(t('fleet.unreachable', { url, why, hint }));
  }
}

export async function enrol(options: {
  url: string;
  token: string;
  dataDir: string;
  label: string;
}): Promise<Result<string, { retryable: boolean; message: string }>> {
  let codeKey: Buffer;
  try {
    codeKey = createHasher(loadOrCreateDeviceSecret(options.dataDir)).codeKey();
  } catch (error) {
    return err({
      retryable: false,
      message: t('fleet.dataFolder', { dir: options.dataDir, message: (error as Error).message }),
    });
  }
  const enrolled = await enrolDevice({
    baseUrl: options.url,
    token: options.token,
    codeKey,
    credentials: fileCredentials(join(options.dataDir, 'sync')),
    label: options.label,
    timeoutMs: 15_000,
  });
  if (enrolled.ok) return ok(enrolled.value.deviceId);
  switch (enrolled.error.kind) {
    case 'invalid-token':
      return err({
        retryable: true,
        message: t('fleet.tokenRefused'),
      });
    case 'network':
      return err({
        retryable: true,
        message: t('fleet.noAnswer', { message: enrolled.error.message }),
      });
    default:
      return err({ retryable: false, message: enrolled.error.message });
  }
}
