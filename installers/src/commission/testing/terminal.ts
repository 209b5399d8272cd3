/**
 * A program in a real pseudo-terminal, driven as a person at the keyboard would: util-linux
 * `script` gives it a pty (so the prompts run in raw mode, Ctrl-C is the terminal's), the
 * test types keys into it and reads the screen's text with the escape sequences taken out.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { stripVTControlCharacters } from 'node:util';

export const KEY = { enter: '\r', down: '\x1b[B', up: '\x1b[A', ctrlC: '\x03' } as const;

export interface Terminal {
  /** Everything shown so far, as text. */
  text(): string;
  /** Waits until `what` shows after the last thing waited for; returns the text up to it. */
  expect(what: string, timeoutMs?: number): Promise<string>;
  type(keys: string): void;
  /** Waits for `prompt`, then types `keys`. */
  answer(prompt: string, keys: string): Promise<void>;
  readonly exited: Promise<number>;
  /** Ends it (a test that failed midway leaves no program behind). */
  kill(): void;
}

const shellQuote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

export function runInTerminal(argv: string[], env: NodeJS.ProcessEnv = {}): Terminal {
  // `script` runs the program in its own session: killing `script` hangs it up, ending it too.
  // A wide screen, so no prompt wraps (the text is matched line by line).
  const command = `stty cols 220 rows 50; exec ${argv.map(shellQuote).join(' ')}`;
  const child: ChildProcess = spawn('script', ['-qefc', command, '/dev/null'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env, TERM: 'xterm' },
  });
  let raw = '';
  let cursor = 0;
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    raw += chunk.toString('utf8');
    for (const wake of waiters) wake();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number>((resolve) =>
    child.once('close', (code) => {
      for (const wake of waiters) wake();
      resolve(code ?? -1);
    }),
  );
  let done = false;
  void exited.then(() => {
    done = true;
  });
  const text = () => stripVTControlCharacters(raw).replaceAll('\r', '');
  const expect = (what: string, timeoutMs = 10_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const shown = text();
        const at = shown.indexOf(what, cursor);
        if (at >= 0) {
          cleanup();
          const before = shown.slice(cursor, at + what.length);
          cursor = at + what.length;
          resolve(before);
        } else if (done) {
          cleanup();
          reject(
            new Error(
              `the program ended without showing "${what}"; it showed:\n${shown.slice(-1500)}`,
            ),
          );
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `"${what}" did not show within ${timeoutMs} ms; the screen:\n${text().slice(-1500)}`,
          ),
        );
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  const type = (keys: string) => {
    child.stdin!.write(keys);
  };
  return {
    text,
    expect,
    type,
    async answer(prompt, keys) {
      await expect(prompt);
      type(keys);
    },
    exited,
    kill: () => {
      if (!done) child.kill('SIGKILL');
    },
  };
}
