/**
 * `npm run fleet-server -- add-user --username X --role admin|clerk|viewer [--totp]`: the
 * password is read from stdin (first line), so it is in no shell history or process list.
 * With --totp the otpauth:// URI is printed once, for the person's authenticator app.
 */
import type { Readable } from 'node:stream';
import type { FleetStorage } from '../storage/storage.ts';
import { consoleStore } from './store.ts';
import { addUser } from './users.ts';

export interface AddUserArgs {
  username: string | undefined;
  role: string | undefined;
  totp: boolean;
}

async function firstLine(input: Readable): Promise<string> {
  let text = '';
  for await (const chunk of input) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}

/** Returns the exit code; messages go to `out` / `errOut`, never the password. */
export async function addUserCommand(
  storage: FleetStorage,
  args: AddUserArgs,
  io: { input: Readable; out: (text: string) => void; errOut: (text: string) => void; now: number },
): Promise<number> {
  if (!args.username || !args.role) {
    io.errOut('error: add-user needs --username and --role (admin, clerk or viewer)\n');
    return 2;
  }
  const password = await firstLine(io.input);
  const added = await addUser(
    consoleStore(storage.sql, storage.secrets),
    { username: args.username, role: args.role, password, totp: args.totp },
    io.now,
  );
  if (!added.ok) {
    const problems = added.error.map((e) =>
      e.problem === 'taken' ? 'the user name is taken' : `${e.field} is not valid`,
    );
    io.errOut(
      `error: ${problems.join('; ')} (user name: 2–50 of a-z 0-9 . _ -; role: admin, clerk or viewer; password on stdin: 12–200 characters)\n`,
    );
    return 1;
  }
  await consoleStore(storage.sql, storage.secrets).addAudit({
    at: io.now,
    userId: 'cli',
    username: 'cli',
    action: 'user-added',
    target: added.value.user.id,
    reason: null,
    details: { role: added.value.user.role, totp: added.value.totpUri !== null },
  });
  io.errOut(`console user ${added.value.user.username} (${added.value.user.role}) added\n`);
  if (added.value.totpUri) {
    io.errOut('add this to the authenticator app now; it is not shown again:\n');
    io.out(`${added.value.totpUri}\n`);
  }
  return 0;
}
