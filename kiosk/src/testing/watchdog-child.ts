/**
 * A process with the systemd notifier on a real SQLite store, for watchdog.test.ts. Lines
 * on stdin: `block MS` busy-waits (a blocked event loop), `close-store` closes the
 * database (the round trip fails). It prints `blocking`, `unblocked`, `store-closed`.
 */
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { jsonLogger } from '@amtomat/basics';
import { startSystemdNotify } from '../service/watchdog.ts';
import { openDb, STORE_FILE } from '../store/db.ts';

const db = openDb(join(process.argv[2]!, STORE_FILE));
const notifier = startSystemdNotify({
  env: process.env,
  storeAnswers: () => db.prepare('SELECT count(*) AS n FROM outbox').get() !== undefined,
  logger: jsonLogger('watchdog-child'),
});
createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, argument] = line.split(' ');
  if (command === 'block') {
    console.log('blocking');
    const end = Date.now() + Number(argument);
    while (Date.now() < end) {
      // the event loop is stuck here, as in an endless loop in production code
    }
    console.log('unblocked');
  } else if (command === 'close-store') {
    db.close();
    console.log('store-closed');
  } else if (command === 'exit') {
    notifier?.close();
    process.exit(0);
  }
});
