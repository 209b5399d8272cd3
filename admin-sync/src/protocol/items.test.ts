/** The item states both sides share: the terminal's moves and how the fleet takes reports. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  FLEET_ITEM_STATUSES,
  type FleetItemStatus,
  fleetStatusAfter,
  REPORTED_STATUS,
  type ReportedStatus,
  TERMINAL_ITEM_STATUSES,
  TERMINAL_TRANSITIONS,
  terminalMayMove,
  terminalStatusFor,
} from './items.ts';

const REPORTS = Object.values(REPORTED_STATUS) as ReportedStatus[];

describe('item states', () => {
  test('the terminal moves only forward: finished states lead nowhere, nothing returns to announced', () => {
    for (const from of TERMINAL_ITEM_STATUSES) {
      for (const to of TERMINAL_TRANSITIONS[from]) {
        assert.ok(TERMINAL_ITEM_STATUSES.includes(to), `${from} → ${to} is a terminal state`);
        assert.notEqual(to, 'announced');
      }
    }
    for (const finished of ['picked_up', 'retrieved', 'cancelled'] as const) {
      assert.deepEqual(TERMINAL_TRANSITIONS[finished], []);
    }
    assert.ok(terminalMayMove('loaded', 'expired'), 'a withdrawal sets the item aside');
    assert.ok(!terminalMayMove('cancelled', 'loaded'), 'a cancelled item cannot be loaded');
  });

  test('issue #16: a load reported after the console cancelled is withdrawn, never loaded', () => {
    assert.equal(fleetStatusAfter('cancelled', 'loaded'), 'withdrawn');
    assert.equal(fleetStatusAfter('cancelled', 'withdrawn'), 'withdrawn');
    assert.equal(fleetStatusAfter('withdrawn', 'loaded'), undefined, 'nothing changes');
    assert.equal(fleetStatusAfter('withdrawn', 'expired'), undefined, 'no expiry notice');
    assert.equal(fleetStatusAfter('withdrawn', 'retrieved'), 'retrieved', 'staff took it out');
    assert.equal(
      fleetStatusAfter('cancelled', 'picked_up'),
      'picked_up',
      'the citizen was quicker',
    );
    assert.equal(fleetStatusAfter('cancelled', 'dropped_off'), undefined);
  });

  test('no report turns a cancelled item into one a citizen is told about', () => {
    for (const current of ['cancelled', 'withdrawn'] as const) {
      for (const reported of REPORTS) {
        const next = fleetStatusAfter(current, reported);
        assert.ok(
          next === undefined || ['withdrawn', 'picked_up', 'retrieved'].includes(next),
          `${current} + ${reported} → ${next}`,
        );
      }
    }
  });

  test('without a cancellation the fleet takes the report as it is', () => {
    const others = FLEET_ITEM_STATUSES.filter((s) => s !== 'cancelled' && s !== 'withdrawn');
    for (const current of [undefined, ...others] as (FleetItemStatus | undefined)[]) {
      for (const reported of REPORTS) assert.equal(fleetStatusAfter(current, reported), reported);
    }
  });

  test('every fleet state has its terminal counterpart: withdrawn is set aside (expired) there', () => {
    for (const status of FLEET_ITEM_STATUSES) {
      assert.ok(TERMINAL_ITEM_STATUSES.includes(terminalStatusFor(status)));
    }
    assert.equal(terminalStatusFor('withdrawn'), 'expired');
  });
});
