/**
 * Application benchmarks (issue #12): the real core on a real SQLite file (WAL,
 * synchronous=FULL), the dog registration of the default catalogue, a test destination key
 * (RSA 2048, made once with openssl). Prints one JSON object per line.
 *
 *   application_submit_ms  "agree and send" after the review → the receipt view published;
 *                          in between: the data checked against the form's JSON Schema,
 *                          the destination key validated, JWE (RSA-OAEP-256 + A256GCM) made
 *                          and the `application-submitted` event committed to the outbox
 *   form_step_view_ms      SUBMIT of a question step → the next step's view published (the
 *                          answers checked, the session snapshot persisted first)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, systemClock } from '@amtomat/basics';
import { LockBoardSimulator } from '@amtomat/hardware-mocks';
import { testKeys } from '../src/applications/keys.testing.ts';
import { destinationKeySetting, ROOT_CERTIFICATE_SETTING } from '../src/applications/keys.ts';
import type { View } from '../src/core/views.ts';
import { openTestTerminal } from '../src/testing/kiosk-fixture.ts';

const WARMUP = 5;
const RUNS = 100;

function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const round = (value: number) => Math.round(value * 1000) / 1000;
  return { p50: round(at(0.5)), p99: round(at(0.99)), n: sorted.length };
}
const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

/** The dog registration's steps: the slots typed, then SUBMIT. */
const STEPS: Record<string, string | boolean>[] = [
  { surname: 'Müller', firstNames: 'Anna Maria' },
  {
    'address.street': 'Hauptstraße',
    'address.houseNumber': '5',
    'address.postcode': '56743',
    'address.town': 'Mendig',
  },
  { dogName: 'Bello', breed: 'Dackel', dogBirthDate: '11042023' },
  { keptSince: '01062023', listedDog: false, chipNumber: '276098106512345' },
  { iban: 'DE89370400440532013000' },
  { phone: '02652 12345', email: 'anna@example.org' },
];

async function applications() {
  const dir = mkdtempSync(join(tmpdir(), 'amtomat-application-bench-'));
  const sim = await LockBoardSimulator.start({ boards: 1 });
  const terminal = await openTestTerminal({
    dir,
    devicePath: sim.hostPath,
    clock: systemClock,
    logger: silentLogger,
  });
  const { core, store } = terminal;
  const keys = await testKeys();
  store.setSetting(ROOT_CERTIFICATE_SETTING, keys.rootPem);
  store.setSetting(destinationKeySetting('steueramt'), JSON.stringify(keys.publicJwk));

  let next: ((view: View, at: number) => void) | undefined;
  core.subscribe((view) => {
    const resolve = next;
    next = undefined;
    resolve?.(view, performance.now());
  });
  await core.start();

  /** Sends an event and resolves with the first view on `screen` after it, and its time. */
  function until(screen: string) {
    return new Promise<{ view: View; at: number }>((resolve) => {
      const wait = (view: View, at: number) => {
        if (view.screen === screen) resolve({ view, at });
        else next = wait;
      };
      next = wait;
    });
  }
  function send(event: Record<string, unknown>) {
    const result = core.send(event);
    if (!result.ok) throw new Error(`event ${String(event.type)} refused: ${result.error.kind}`);
  }

  const submitSamples: number[] = [];
  const stepSamples: number[] = [];
  for (let run = 0; run < WARMUP + RUNS; run++) {
    const record = run >= WARMUP;
    if (core.view().screen !== 'attract') await until('attract');
    const choose = until('application.choose');
    send({ type: 'CHOOSE', service: 'application' });
    await choose;
    send({ type: 'CHOOSE_FORM', form: 'hund-anmelden' });
    send({ type: 'CONFIRM' });
    for (const [index, answers] of STEPS.entries()) {
      for (const [slot, value] of Object.entries(answers)) {
        if (typeof value === 'boolean') send({ type: 'SET', field: slot, value });
        else {
          send({ type: 'EDIT_SLOT', slot });
          send({ type: 'TYPE', text: value });
        }
      }
      const shown = until(
        index === STEPS.length - 1 ? 'application.review' : 'application.question',
      );
      const sent = performance.now();
      send({ type: 'SUBMIT' });
      const { at } = await shown;
      if (record) stepSamples.push(at - sent);
    }
    send({ type: 'CONFIRM' }); // review → consent
    const receipt = until('application.receipt');
    const agreed = performance.now();
    send({ type: 'CONFIRM' }); // agree and send
    const { at } = await receipt;
    if (record) submitSamples.push(at - agreed);
    send({ type: 'CONFIRM' });
    send({ type: 'FINISH' });
  }
  const sealed = store
    .pendingOutbox(Number.MAX_SAFE_INTEGER, 10_000)
    .filter((event) => event.type === 'application-submitted').length;
  if (sealed !== WARMUP + RUNS) throw new Error(`${sealed} submissions in the outbox`);

  print({
    name: 'application_submit_ms',
    ...percentiles(submitSamples),
    note: 'agree and send → receipt view: schema check, key check, JWE (RSA-OAEP-256/A256GCM), outbox commit',
  });
  print({
    name: 'form_step_view_ms',
    ...percentiles(stepSamples),
    note: 'SUBMIT of a question step → next step view (answers checked, snapshot persisted)',
  });
  await terminal.close();
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
}

// A benchmark that stalls is a failure to report, not a wait without end.
setTimeout(() => {
  process.stderr.write('application bench: no progress for 120 s, giving up\n');
  process.exit(1);
}, 120_000).unref();

await applications();
