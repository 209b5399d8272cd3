import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeHidDevice } from './fake-hid-device.ts';

test('delivers reports and errors until closed', async () => {
  const device = new FakeHidDevice();
  const reports: Buffer[] = [];
  const errors: Error[] = [];
  device.on('data', (r) => reports.push(r));
  device.on('error', (e) => errors.push(e));
  device.emitReport(Buffer.from([1, 2]));
  device.fail(new Error('unplugged'));
  await device.close();
  assert.equal(device.closed, true);
  device.emitReport(Buffer.from([3]));
  device.fail(new Error('late'));
  assert.deepEqual(reports, [Buffer.from([1, 2])]);
  assert.deepEqual(
    errors.map((e) => e.message),
    ['unplugged'],
  );
});
