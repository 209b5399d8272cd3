import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memoryLogger } from '@amtomat/basics';
import { encodeBootKeyboardReports, FakeHidDevice } from '@amtomat/hardware-mocks';
import { openInputDevices } from './input-devices.ts';

const READER = { kind: 'hid', selector: { vendorId: 0x1234, productId: 0x0001 } } as const;

test('a configured HID card reader delivers card uids through the real decoder', async () => {
  const device = new FakeHidDevice();
  const { cardReader, scanner } = await openInputDevices(
    { cardReader: READER, scanner: { kind: 'none' } },
    memoryLogger(),
    async () => ({ ok: true, value: device }),
  );
  assert.ok(cardReader);
  assert.equal(scanner, undefined);
  const uids: string[] = [];
  cardReader.onCard(({ uid }) => uids.push(uid));
  for (const report of encodeBootKeyboardReports('04a1b2c3')) device.emitReport(report);
  assert.deepEqual(uids, ['04A1B2C3']);
  await cardReader.close();
});

test('a device that is not there is logged with its kind and left out; the start goes on', async () => {
  const logger = memoryLogger();
  const devices = await openInputDevices(
    { cardReader: READER, scanner: { kind: 'none' } },
    logger,
    async () => ({ ok: false, error: { kind: 'not-found' } }),
  );
  assert.deepEqual(devices, {});
  const entry = logger.entries.find((e) => e.event === 'service.device_unavailable');
  assert.deepEqual(entry?.fields, { device: 'card-reader', error: 'not-found' });
});
