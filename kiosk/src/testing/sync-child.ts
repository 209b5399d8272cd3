/**
 * The terminal's sync as a process of its own, for the kill -9 test: the kiosk's real store
 * (kiosk/src/store, WAL, synchronous=FULL) and its real sync wiring (kiosk/src/service/sync.ts:
 * enrolment with the token, the identity in <data>/sync/, the agent over the store's outbox).
 *
 *   node sync-child.ts --data DIR --url URL --token TOKEN [--enqueue N]
 *
 * `--enqueue N` first queues N `item-ready` events (keys `kill-1`…, one transaction). Prints
 * the agent's log lines and, every 20 ms, a `child.progress` line, as JSON on stdout; exits 0
 * once a cycle succeeded and the outbox is empty.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { jsonLogger, systemClock } from '@amtomat/basics';
import { startKioskSync } from '../service/sync.ts';
import { openDb, STORE_FILE } from '../store/db.ts';
import { createHasher, loadOrCreateDeviceSecret } from '../store/secret.ts';
import { createStore } from '../store/store.ts';

const PROGRESS_MS = 20;

/** The n-th event of the test: a valid `item-ready` payload, the same on every run. */
const killTestPayload = (n: number) => ({
  itemId: `kill-item-${n}`,
  reference: `SECRET-REF-${n}`,
  recipientRef: null,
  compartment: `A${n % 20}`,
  expiresAt: 1_900_000_000_000,
});

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    url: { type: 'string' },
    token: { type: 'string' },
    enqueue: { type: 'string' },
  },
});
if (!values.data || !values.url || !values.token) {
  process.stderr.write('usage: sync-child.ts --data DIR --url URL --token T [--enqueue N]\n');
  process.exit(2);
}
const dataDir = values.data;
const logger = jsonLogger('kiosk-sync-child', { write: (line) => process.stdout.write(line) });
mkdirSync(dataDir, { recursive: true, mode: 0o700 });
const db = openDb(join(dataDir, STORE_FILE));
const hasher = createHasher(loadOrCreateDeviceSecret(dataDir));
const store = createStore({
  db,
  hasher,
  now: () => Date.now(),
  logger,
});
const enqueue = Number(values.enqueue ?? 0);
store.transaction(() => {
  for (let n = 1; n <= enqueue; n++) store.enqueue('item-ready', killTestPayload(n), `kill-${n}`);
});

const sync = startKioskSync({
  // The interval matters not: one cycle drains the outbox, batch after batch.
  config: { url: values.url, enrolmentToken: values.token, intervalMs: 60_000 },
  dataDir,
  store,
  codeKey: hasher.codeKey(),
  clock: systemClock,
  logger,
});

const progress = setInterval(() => {
  const { online, queueLength } = sync.state();
  logger.log('info', 'child.progress', { online, queueLength });
  if (!online || queueLength > 0) return;
  clearInterval(progress);
  void sync.close().then(() => {
    db.close();
    process.exit(0);
  });
}, PROGRESS_MS);
