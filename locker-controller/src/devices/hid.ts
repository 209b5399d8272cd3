/**
 * Opening HID devices with node-hid 3. node-hid is imported on first use: its native
 * binding needs libusb at load time, and code that never opens a HID device (tests, the
 * serial-only setups) must not depend on it.
 */

import { err, ok, type Result } from '@amtomat/basics';
import type { Device } from 'node-hid';
import { z } from 'zod';
import type { HidDevice } from './types.ts';

export const hidSelectorSchema = z.union([
  z.object({
    vendorId: z.int().min(0).max(0xffff),
    productId: z.int().min(0).max(0xffff),
    /** Picks one interface of a composite device, e.g. 0x8C for a HID-POS scanner. */
    usagePage: z.int().min(0).max(0xffff).optional(),
  }),
  z.object({ path: z.string().min(1) }),
]);

export type HidSelector = z.infer<typeof hidSelectorSchema>;

const UDEV_HINT =
  'the kiosk user may not open /dev/hidraw*: install the udev rules from installers/ and replug';
const LIBUSB_HINT = 'node-hid needs libusb at load time: apt-get install libusb-1.0-0';

export type HidOpenError =
  | { kind: 'not-found' }
  | { kind: 'permission-denied'; hint: string }
  | { kind: 'open-failed'; message: string }
  /** node-hid or its native binding could not be loaded. */
  | { kind: 'driver-unavailable'; message: string; hint: string };

/** The part of node-hid we use; `loadNodeHid` checks that node-hid's HIDAsync fits. */
export interface NodeHidApi {
  devicesAsync(vendorId: number, productId: number): Promise<Device[]>;
  HIDAsync: { open(path: string): Promise<HidDevice> };
  getHidapiVersion(): string;
}

export async function loadNodeHid(): Promise<NodeHidApi> {
  const module = await import('node-hid');
  return module.default;
}

/**
 * Opens one HID device. By vendor/product id it enumerates first and opens the first
 * matching interface (with `usagePage` given, the first with that usage page) by its path.
 * `load` is for tests.
 */
export async function openHidDevice(
  selector: HidSelector,
  load: () => Promise<NodeHidApi> = loadNodeHid,
): Promise<Result<HidDevice, HidOpenError>> {
  const api = await loadApi(load);
  if (!api.ok) return api;
  try {
    const path = 'path' in selector ? selector.path : await findPath(api.value, selector);
    if (path === undefined) return err({ kind: 'not-found' });
    return ok(await api.value.HIDAsync.open(path));
  } catch (error) {
    return err(classifyOpenError(error));
  }
}

async function loadApi(load: () => Promise<NodeHidApi>): Promise<Result<NodeHidApi, HidOpenError>> {
  try {
    const api = await load();
    api.getHidapiVersion(); // loads the native binding, which is where libusb is needed
    return ok(api);
  } catch (error) {
    return err({ kind: 'driver-unavailable', message: messageOf(error), hint: LIBUSB_HINT });
  }
}

async function findPath(
  api: NodeHidApi,
  selector: { vendorId: number; productId: number; usagePage?: number | undefined },
): Promise<string | undefined> {
  const devices = await api.devicesAsync(selector.vendorId, selector.productId);
  const match = devices.find(
    (device) =>
      device.path !== undefined &&
      (selector.usagePage === undefined || device.usagePage === selector.usagePage),
  );
  return match?.path;
}

/** hidapi reports failures as messages only; these patterns cover hidraw and libusb. */
export function classifyOpenError(error: unknown): HidOpenError {
  const message = messageOf(error);
  if (/permission denied|EACCES|LIBUSB_ERROR_ACCESS|access denied/i.test(message)) {
    return { kind: 'permission-denied', hint: UDEV_HINT };
  }
  if (/no such file|ENOENT|no HID devices|not found|LIBUSB_ERROR_NO_DEVICE/i.test(message)) {
    return { kind: 'not-found' };
  }
  return { kind: 'open-failed', message };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
