/**
 * systemd's readiness and watchdog protocol (`Type=notify`, `WatchdogSec=`): `READY=1` once
 * the service answers, then `WATCHDOG=1` every half `WATCHDOG_USEC`, each only after a
 * store round trip succeeded. The pings come from a timer on the event loop, so a blocked
 * loop or a store that no longer answers stops them and systemd restarts the service.
 *
 * The messages are datagrams on the unix socket named by `NOTIFY_SOCKET`. Node has no
 * unix datagram sockets and the npm packages for it are native (`sd-notify` needs
 * libsystemd headers), so one `socat` child, started once, sends each line written to its
 * stdin as one datagram; the unit says `NotifyAccess=all` so systemd takes them from it.
 * socat is already a dependency (the board simulator), and it dies with its stdin.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import type { Logger } from '@amtomat/basics';

export interface SystemdNotifier {
  /** `STATUS=…`: the line `systemctl status` shows. */
  status(text: string): void;
  /** `STOPPING=1`, then ends the sender. */
  close(): void;
}

export interface NotifyOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** A store round trip; false or a throw withholds the ping. */
  storeAnswers(): boolean;
  logger: Logger;
}

/** Starts notifying when systemd asked for it (`NOTIFY_SOCKET` set); otherwise undefined. */
export function startSystemdNotify(options: NotifyOptions): SystemdNotifier | undefined {
  const { env, logger } = options;
  const socket = env.NOTIFY_SOCKET;
  if (!socket) return undefined;
  const sender = openSender(socket, logger);
  sender.send('READY=1');
  const intervalMs = watchdogIntervalMs(env);
  const timer =
    intervalMs === undefined
      ? undefined
      : setInterval(() => {
          if (storeAnswers(options)) sender.send('WATCHDOG=1');
        }, intervalMs);
  logger.log('info', 'service.systemd_notify', { watchdogIntervalMs: intervalMs ?? null });
  return {
    status: (text) => sender.send(`STATUS=${text.replace(/\n/g, ' ')}`),
    close() {
      clearInterval(timer);
      sender.send('STOPPING=1');
      sender.end();
    },
  };
}

/** Half the watchdog time systemd set, for this process only (`WATCHDOG_PID`). */
export function watchdogIntervalMs(
  env: Readonly<Record<string, string | undefined>>,
  pid = process.pid,
): number | undefined {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isInteger(usec) || usec <= 0) return undefined;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return undefined;
  return Math.max(1, Math.floor(usec / 2000));
}

function storeAnswers(options: NotifyOptions): boolean {
  try {
    return options.storeAnswers();
  } catch (error) {
    options.logger.log('error', 'service.watchdog_store_failed', { error: String(error) });
    return false;
  }
}

/** `@name` is an abstract socket (systemd uses one in containers). */
function openSender(socket: string, logger: Logger) {
  const address = socket.startsWith('@')
    ? `ABSTRACT-SENDTO:${socket.slice(1)}`
    : `UNIX-SENDTO:${socket}`;
  const child: ChildProcessByStdio<Writable, null, null> = spawn(
    'socat',
    ['-u', 'STDIN', address],
    { stdio: ['pipe', 'ignore', 'ignore'] },
  );
  let alive = true;
  const gone = (reason: string) => {
    if (!alive) return;
    alive = false;
    // Without pings systemd restarts the service: that is the intended outcome.
    logger.log('error', 'service.systemd_notify_failed', { reason });
  };
  child.on('error', (error) => gone(error.message));
  child.on('exit', (code) => gone(`socat exited with ${code}`));
  child.stdin.on('error', (error) => gone(error.message));
  // The sender must not keep a stopping service alive.
  child.unref();
  return {
    send(message: string) {
      if (alive) child.stdin.write(`${message}\n`);
    },
    end() {
      alive = false;
      child.stdin.end();
    },
  };
}
