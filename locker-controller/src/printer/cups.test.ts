/**
 * The print system's client against a real, private cupsd (hardware-mocks' test scheduler)
 * with a network printer on a real socket behind a raw queue; the faults are real too: a
 * queue that does not exist, a printer that does not answer, a queue stopped with "out of
 * paper". The parsing of `lpstat` is checked on its own text as well.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import {
  hasCups,
  startCups,
  startNetworkPrinter,
  switchedOffPrinterUri,
} from '../../../hardware-mocks/src/index.ts';
import {
  clientFault,
  cupsPrintSystem,
  describePrinterFault,
  parseQueueState,
  stateFault,
  waitForJob,
} from './cups.ts';

const DISABLED = `printer receipt disabled since Sun Dec  6 08:29:22 2026 -
\tOut of paper
\tForm mounted:
\tAlerts: paused
`;
const IDLE = `printer receipt is idle.  enabled since Sun Dec  6 08:29:19 2026
\tForm mounted:
\tContent types: any
\tAlerts: none
`;
const MEDIA_EMPTY = `printer receipt now printing receipt-4.  enabled since Sun Dec  6 08:29:19 2026
\tThe printer is out of paper.
\tForm mounted:
\tAlerts: media-empty-error
`;
const UNAVAILABLE = `printer receipt now printing receipt-2.  enabled since Sun Dec  6 08:29:19 2026
\tThe printer may not exist or is unavailable at this time.
\tForm mounted:
\tAlerts: none
`;

describe('what lpstat and lp say', () => {
  test('queue states: enabled, state message, alerts', () => {
    assert.deepEqual(parseQueueState(IDLE), { enabled: true, message: '', alerts: [] });
    assert.deepEqual(parseQueueState(DISABLED), {
      enabled: false,
      message: 'Out of paper',
      alerts: ['paused'],
    });
    assert.deepEqual(parseQueueState(MEDIA_EMPTY).alerts, ['media-empty-error']);
  });

  test('paper and a stopped queue count at once; "unavailable" only once the wait is spent', () => {
    assert.equal(stateFault(parseQueueState(MEDIA_EMPTY), 'waiting')?.kind, 'out-of-paper');
    assert.equal(stateFault(parseQueueState(DISABLED), 'waiting')?.kind, 'out-of-paper');
    const stopped = { ...parseQueueState(DISABLED), message: 'Stopped by staff' };
    assert.equal(stateFault(stopped, 'waiting')?.kind, 'offline');
    assert.equal(stateFault(parseQueueState(UNAVAILABLE), 'waiting'), null);
    assert.deepEqual(stateFault(parseQueueState(UNAVAILABLE), 'spent'), {
      kind: 'offline',
      said: 'The printer may not exist or is unavailable at this time.',
    });
    assert.equal(stateFault(parseQueueState(IDLE), 'waiting'), null);
  });

  test("the clients' error lines", () => {
    assert.equal(clientFault('lp: Error - The printer or class does not exist.').kind, 'missing');
    assert.equal(clientFault('lpstat: Invalid destination name in list "x".').kind, 'missing');
    assert.equal(clientFault('lp: Error - Scheduler is not running.').kind, 'offline');
    assert.equal(clientFault('lp: Error - something new').kind, 'failed');
    assert.match(
      describePrinterFault({ kind: 'out-of-paper', said: 'Out of paper' }),
      /out of paper: Out of paper/,
    );
  });
});

async function printSystem(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'amtomat-cups-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cups = await startCups(t, dir);
  const file = join(dir, 'page.pdf');
  writeFileSync(file, '%PDF-1.4\n% a page\n');
  return { cups, file, system: cupsPrintSystem({ server: cups.server }) };
}

describe('a real print system (cupsd)', { skip: !hasCups() && 'needs cupsd and root' }, () => {
  test('a queue to a network printer: listed, printed, taken; the bytes arrive', async (t) => {
    const { cups, file, system } = await printSystem(t);
    assert.deepEqual(await system.queues(), { ok: true, value: [] });
    const printer = await startNetworkPrinter();
    t.after(() => printer.close());
    cups.addQueue('receipt', printer.uri);
    assert.deepEqual(await system.queues(), { ok: true, value: ['receipt'] });
    const arrived = printer.nextJob();
    const job = await system.print('receipt', file, 'receipt');
    assert.ok(job.ok, JSON.stringify(job));
    assert.match(job.value, /^receipt-\d+$/);
    assert.deepEqual(await waitForJob(system, 'receipt', job.value, { waitMs: 10_000 }), {
      ok: true,
      value: undefined,
    });
    assert.match((await arrived).toString('latin1'), /^%PDF-1\.4\n% a page/);
  });

  test('no such queue: missing', async (t) => {
    const { file, system } = await printSystem(t);
    const job = await system.print('nowhere', file, 'receipt');
    assert.equal(!job.ok && job.error.kind, 'missing');
  });

  test('a printer that does not answer: offline, with what CUPS says; the job can go', async (t) => {
    const { cups, file, system } = await printSystem(t);
    cups.addQueue('receipt', await switchedOffPrinterUri());
    const job = await system.print('receipt', file, 'receipt');
    assert.ok(job.ok);
    const waited = await waitForJob(system, 'receipt', job.value, { waitMs: 1500 });
    assert.ok(!waited.ok);
    assert.equal(waited.error.kind, 'offline');
    assert.deepEqual(await system.cancel(job.value), { ok: true, value: undefined });
  });

  test('a queue stopped for want of paper: out-of-paper at once', async (t) => {
    const { cups, file, system } = await printSystem(t);
    const printer = await startNetworkPrinter();
    t.after(() => printer.close());
    cups.addQueue('receipt', printer.uri);
    cups.disableQueue('receipt', 'Out of paper');
    const job = await system.print('receipt', file, 'receipt');
    assert.ok(job.ok);
    const waited = await waitForJob(system, 'receipt', job.value, { waitMs: 60_000 });
    assert.deepEqual(waited, { ok: false, error: { kind: 'out-of-paper', said: 'Out of paper' } });
    assert.equal(printer.jobs.length, 0);
  });
});
