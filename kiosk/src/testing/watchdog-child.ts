/**
 * A process with the systemd notifier on a real SQLite store, for watchdog.test.ts. Lines
 * on stdin: `block MS` busy-waits (a blocked event loop), `close-store` closes the
 * database (the round trip fails), `mark TEXT` sends STATUS=TEXT. Each is also sent as a
 * STATUS= message, so the test sees what was sent between two of them.
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
    // Markers in the same datagram stream: the test reads what was sent in between.
    notifier?.status('blocking');
    const end = Date.now() + Number(argument);
    while (Date.now() < end) {
      // the event loop is stuck here, as in an endless loop in production code
    }
    notifier?.status('unblocked');
    console.log('unblocked');
  } else if (command === 'close-store') {
    db.close();
    notifier?.status('store-closed');
    console.log('store-closed');
  } else if (command === 'mark') {
    notifier?.status(argument ?? '');
  } else if (command === 'exit') {
    notifier?.close();
    process.exit(0);
  }
});
