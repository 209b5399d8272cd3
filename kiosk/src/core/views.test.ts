import assert from 'node:assert/strict';
import { test } from 'node:test';
import { onStartScreen } from '../flows/flow.ts';
import { FLOWS } from '../flows/registry.ts';
import { startScreenProps } from './views.ts';

test('the start screen offers couriers their service apart from the citizens’ tiles', () => {
  const { services, courierServices } = startScreenProps();
  assert.deepEqual(courierServices, ['courier-deposit']);
  assert.ok(!services.includes('courier-deposit'), 'not among the citizens’ services');
  assert.deepEqual([...services].sort(), [
    'application',
    'document-pickup',
    'drop-off',
    'parcel-pickup',
  ]);
});

test('every flow but the staff’s is offered on the start screen, once', () => {
  const { services, courierServices } = startScreenProps();
  const offered = [...services, ...courierServices].sort();
  const notStaff = FLOWS.filter(onStartScreen).map((flow) => flow.service);
  assert.deepEqual(offered, notStaff.sort());
  assert.ok(!offered.includes('staff'));
});
