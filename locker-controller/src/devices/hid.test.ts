import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, test } from 'node:test';
import type { Device } from 'node-hid';
import { classifyOpenError, hidSelectorSchema, type NodeHidApi, openHidDevice } from './hid.ts';
import type { HidDevice } from './types.ts';

class OpenDevice extends EventEmitter implements HidDevice {
  async close() {}
}

const info = (path: string, usagePage: number): Device => ({
  vendorId: 0x0c2e,
  productId: 0x0b61,
  path,
  usagePage,
  release: 1,
  interface: 0,
});

/** A node-hid stand-in that records what was opened. */
function fakeApi(devices: Device[], openError?: Error) {
  const opened: string[] = [];
  const api: NodeHidApi = {
    async devicesAsync(vendorId, productId) {
      return devices.filter((d) => d.vendorId === vendorId && d.productId === productId);
    },
    HIDAsync: {
      async open(path) {
        if (openError) throw openError;
        opened.push(path);
        return new OpenDevice();
      },
    },
    getHidapiVersion: () => '0.14.0',
  };
  return { opened, load: async () => api };
}

describe('openHidDevice', () => {
  test('by vendor and product id: opens the first match by path', async () => {
    const api = fakeApi([info('/dev/hidraw3', 0x01), info('/dev/hidraw4', 0x8c)]);
    const result = await openHidDevice({ vendorId: 0x0c2e, productId: 0x0b61 }, api.load);
    assert.ok(result.ok);
    assert.deepEqual(api.opened, ['/dev/hidraw3']);
  });

  test('usagePage picks the HID-POS interface of a composite scanner', async () => {
    const api = fakeApi([info('/dev/hidraw3', 0x01), info('/dev/hidraw4', 0x8c)]);
    const selector = { vendorId: 0x0c2e, productId: 0x0b61, usagePage: 0x8c };
    assert.ok((await openHidDevice(selector, api.load)).ok);
    assert.deepEqual(api.opened, ['/dev/hidraw4']);
  });

  test('no matching device is not-found', async () => {
    const api = fakeApi([info('/dev/hidraw3', 0x01)]);
    assert.deepEqual(await openHidDevice({ vendorId: 1, productId: 2 }, api.load), {
      ok: false,
      error: { kind: 'not-found' },
    });
    const selector = { vendorId: 0x0c2e, productId: 0x0b61, usagePage: 0x8c };
    assert.deepEqual(await openHidDevice(selector, api.load), {
      ok: false,
      error: { kind: 'not-found' },
    });
  });

  test('permission denied carries a hint to the udev rules', async () => {
    const denied = new Error("Failed to open a device with path '/dev/hidraw0': Permission denied");
    const api = fakeApi([], denied);
    const result = await openHidDevice({ path: '/dev/hidraw0' }, api.load);
    assert.ok(!result.ok);
    assert.equal(result.error.kind, 'permission-denied');
    assert.match(result.error.kind === 'permission-denied' ? result.error.hint : '', /udev/);
  });

  test('other open failures keep the message', async () => {
    const api = fakeApi([], new Error('hid_open_path: device busy'));
    assert.deepEqual(await openHidDevice({ path: '/dev/hidraw0' }, api.load), {
      ok: false,
      error: { kind: 'open-failed', message: 'hid_open_path: device busy' },
    });
  });

  test('a node-hid that cannot load is driver-unavailable, not an exception', async () => {
    const missing = async (): Promise<NodeHidApi> => {
      throw new Error('libusb-1.0.so.0: cannot open shared object file');
    };
    const result = await openHidDevice({ path: '/dev/hidraw0' }, missing);
    assert.ok(!result.ok);
    assert.equal(result.error.kind, 'driver-unavailable');

    const { load } = fakeApi([]);
    const brokenBinding = async () => ({
      ...(await load()),
      getHidapiVersion: (): string => {
        throw new Error('No native build was found');
      },
    });
    const broken = await openHidDevice({ path: '/dev/hidraw0' }, brokenBinding);
    assert.equal(!broken.ok && broken.error.kind, 'driver-unavailable');
  });

  test('error classification covers hidraw and libusb messages', () => {
    const kind = (message: string) => classifyOpenError(new Error(message)).kind;
    assert.equal(kind('LIBUSB_ERROR_ACCESS'), 'permission-denied');
    assert.equal(
      kind("Failed to open a device with path '/dev/hidraw9': No such file or directory"),
      'not-found',
    );
    assert.equal(
      kind(
        'cannot open device with vendor id 0x1 and product id 0x2: No HID devices with requested VID/PID found in the system.',
      ),
      'not-found',
    );
    assert.equal(kind('something else'), 'open-failed');
  });

  test('with the real node-hid: a missing path is not-found', async (t) => {
    const result = await openHidDevice({ path: '/dev/hidraw-amtomat-missing' });
    if (!result.ok && result.error.kind === 'driver-unavailable') {
      t.skip('node-hid cannot load here (libusb missing)');
      return;
    }
    assert.deepEqual(result, { ok: false, error: { kind: 'not-found' } });
  });

  test('selector schema for configuration files', () => {
    assert.ok(hidSelectorSchema.safeParse({ vendorId: 0x0c2e, productId: 0x0b61 }).success);
    assert.ok(hidSelectorSchema.safeParse({ path: '/dev/hidraw0' }).success);
    assert.ok(!hidSelectorSchema.safeParse({ vendorId: 0x10000, productId: 1 }).success);
    assert.ok(!hidSelectorSchema.safeParse({ path: '' }).success);
  });
});
