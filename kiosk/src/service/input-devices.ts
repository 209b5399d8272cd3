import type { Logger } from '@amtomat/basics';
import {
  type CardReader,
  createHidCardReader,
  createHidPosScanner,
  type HidDevice,
  type HidOpenError,
  openHidDevice,
  type Scanner,
} from '@amtomat/locker-controller/devices';
import type { SiteConfig } from './config.ts';

type DeviceConfig = SiteConfig['devices']['cardReader'];

/**
 * The site's staff card reader and code scanner, opened over raw HID. A device that is
 * missing or refused is logged with the installer's hint and left out: the terminal still
 * serves citizens by keypad (and staff once the reader is back and the service restarted).
 */
export async function openInputDevices(
  devices: Pick<SiteConfig['devices'], 'cardReader' | 'scanner'>,
  logger: Logger,
  open: (
    selector: Extract<DeviceConfig, { kind: 'hid' }>['selector'],
  ) => Promise<{ ok: true; value: HidDevice } | { ok: false; error: HidOpenError }> = openHidDevice,
): Promise<{ cardReader?: CardReader; scanner?: Scanner }> {
  const opened: { cardReader?: CardReader; scanner?: Scanner } = {};
  const cardDevice = await openOne('card-reader', devices.cardReader, logger, open);
  if (cardDevice) opened.cardReader = createHidCardReader(cardDevice, { logger });
  const scanDevice = await openOne('scanner', devices.scanner, logger, open);
  if (scanDevice) opened.scanner = createHidPosScanner(scanDevice, { logger });
  return opened;
}

async function openOne(
  role: string,
  config: DeviceConfig,
  logger: Logger,
  open: Parameters<typeof openInputDevices>[2] & {},
): Promise<HidDevice | undefined> {
  if (config.kind === 'none') return undefined;
  const result = await open(config.selector);
  if (result.ok) return result.value;
  logger.log('error', 'service.device_unavailable', {
    device: role,
    error: result.error.kind,
    ...('hint' in result.error && { hint: result.error.hint }),
  });
  return undefined;
}
