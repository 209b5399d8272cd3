/**
 * Drives a kiosk core running in its own process (`core-process.ts`), for crash tests:
 * UI events and device input go in as JSON lines, views come back.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after } from 'node:test';
import type { View } from '../core/views.ts';
import type { DoorStep } from '../doors/door-service.ts';

const PROCESS = join(import.meta.dirname, 'core-process.ts');

/** A failed assertion must not leave a core running: the test file would never exit. */
const running = new Set<ChildProcessWithoutNullStreams>();
after(() => {
  for (const child of running) child.kill('SIGKILL');
});

export interface CoreProcess {
  child: ChildProcessWithoutNullStreams;
  views: View[];
  /** Events or device input the core refused (none expected). */
  refused: unknown[];
  send(event: object): void;
  device(event: object): void;
  view(screen: string, check?: (view: View) => boolean, timeoutMs?: number): Promise<View>;
  exited: Promise<NodeJS.Signals | number | null>;
}

export async function startCoreProcess(
  dir: string,
  port: string,
  crashAt?: DoorStep,
): Promise<CoreProcess> {
  const args = [
    PROCESS,
    '--data',
    dir,
    '--port',
    port,
    ...(crashAt ? ['--crash-at', crashAt] : []),
  ];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const views: View[] = [];
  const refused: unknown[] = [];
  let ready!: () => void;
  const isReady = new Promise<void>((resolve) => {
    ready = resolve;
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    const message = JSON.parse(line) as { view?: View; ready?: boolean; refused?: unknown };
    if (message.view) views.push(message.view);
    if (message.ready) ready();
    if (message.refused) refused.push(message.refused);
  });
  child.stderr.resume();
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  await Promise.race([isReady, exited]);
  return {
    child,
    views,
    refused,
    exited,
    send: (event) => child.stdin.write(`${JSON.stringify(event)}\n`),
    device: (event) => child.stdin.write(`${JSON.stringify({ device: event })}\n`),
    async view(screen, check = () => true, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const last = views.at(-1);
        if (last?.screen === screen && check(last)) return last;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error(`screen ${screen} not reached; last ${JSON.stringify(views.at(-1))}`);
    },
  };
}
