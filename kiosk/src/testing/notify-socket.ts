/**
 * systemd's side of `NOTIFY_SOCKET` for tests: a real unix datagram socket, received by
 * `socat -v` (Node has no unix datagram sockets), which prints a header per datagram on
 * stderr followed by its text. Each message keeps the time it arrived here.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { until } from './wait.ts';

export interface NotifyMessage {
  text: string;
  at: number;
}

export interface NotifyListener {
  path: string;
  messages: NotifyMessage[];
  close(): void;
}

export async function listenNotify(dir: string): Promise<NotifyListener> {
  const path = join(dir, 'notify.sock');
  const socat = spawn('socat', ['-u', '-v', `UNIX-RECV:${path}`, 'OPEN:/dev/null'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const messages: NotifyMessage[] = [];
  createInterface({ input: socat.stderr }).on('line', (line) => {
    // `> 2026/… length=8 from=0 to=7` opens each datagram; its lines follow.
    if (line.startsWith('> ') || line === '') return;
    messages.push({ text: line, at: Date.now() });
  });
  await until('the notify socket is bound', () => existsSync(path));
  return { path, messages, close: () => socat.kill() };
}
