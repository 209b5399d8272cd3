/**
 * The receipt printer as the terminal reaches it: a queue of the OS print system (CUPS), fed
 * a PDF with `lp` (HARDWARE.md: "Receipt printer (PDF via the OS print system)"), through the
 * command-line clients of Debian's cups-client. The kiosk prints its receipts here, the
 * commissioning wizard its test page. What goes wrong is a `PrinterFault` value with what
 * CUPS said; `describePrinterFault` gives the one line for a log or an installer.
 */
import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { err, ok, type Result } from '@amtomat/basics';

/**
 * Why a page did not come out. `said`: the print system's own words (its error, or the
 * printer's state message), technical, never anything of the page.
 */
export type PrinterFault =
  /** A client program of the print system is not installed (cups-client). */
  | { kind: 'no-print-system'; program: string }
  /** No such queue: the printer was never set up, or was removed. */
  | { kind: 'missing'; said: string }
  /** The scheduler or the printer does not answer, or the queue is stopped. */
  | { kind: 'offline'; said: string }
  /** CUPS reports the paper (media) empty. */
  | { kind: 'out-of-paper'; said: string }
  /** CUPS refused or lost the job for another reason. */
  | { kind: 'failed'; said: string };

export type PrinterFaultKind = PrinterFault['kind'];

export function describePrinterFault(fault: PrinterFault): string {
  switch (fault.kind) {
    case 'no-print-system':
      return `the print system's ${fault.program} is not installed (Debian: cups-client)`;
    case 'missing':
      return `no such print queue: ${fault.said}`;
    case 'offline':
      return `the printer does not answer: ${fault.said}`;
    case 'out-of-paper':
      return `the printer is out of paper: ${fault.said}`;
    case 'failed':
      return `the print job failed: ${fault.said}`;
  }
}

/** The printer as `lpstat -l -p` shows it. */
export interface QueueState {
  /** False once the queue is stopped (`cupsdisable`, or CUPS after a backend error). */
  enabled: boolean;
  /** The state message, e.g. "The printer may not exist or is unavailable at this time."; '' when none. */
  message: string;
  /** printer-state-reasons (`Alerts:`), e.g. `media-empty-error`, `offline-report`. */
  alerts: string[];
}

export interface PrintSystem {
  /** The print queues set up (`lpstat -e`). */
  queues(): Promise<Result<string[], PrinterFault>>;
  /** Sends a file to a queue; the job's id (`receipt-12`). */
  print(queue: string, file: string, title: string): Promise<Result<string, PrinterFault>>;
  /** Whether CUPS has finished the job, and the printer's state meanwhile. */
  job(
    queue: string,
    id: string,
  ): Promise<Result<{ done: boolean; state: QueueState }, PrinterFault>>;
  cancel(id: string): Promise<Result<void, PrinterFault>>;
}

export interface CupsOptions {
  /** Another scheduler (`CUPS_SERVER`, e.g. a test's socket); default: the system's. */
  server?: string;
}

/** The print system through its command-line clients (package cups-client). */
export function cupsPrintSystem(options: CupsOptions = {}): PrintSystem {
  const env = options.server ? { ...process.env, CUPS_SERVER: options.server } : process.env;
  const run = (program: string, args: string[]) => runClient(program, args, env);
  return {
    async queues() {
      const listed = await run('lpstat', ['-e']);
      if (!listed.ok) {
        // lpstat exits 1 with "No destinations added." where no queue is set up yet.
        return /No destinations added/i.test(said(listed.error)) ? ok([]) : listed;
      }
      return ok(listed.value.split('\n').filter((line) => line.trim() !== ''));
    },
    async print(queue, file, title) {
      const sent = await run('lp', ['-d', queue, '-t', title, '--', file]);
      if (!sent.ok) return sent;
      const id = /request id is (\S+)/.exec(sent.value)?.[1];
      return id ? ok(id) : err({ kind: 'failed', said: sent.value.trim() });
    },
    async job(queue, id) {
      const pending = await run('lpstat', ['-W', 'not-completed', '-o', queue]);
      if (!pending.ok) return pending;
      const done = !pending.value.split('\n').some((line) => line.split(/\s+/)[0] === id);
      const shown = await run('lpstat', ['-l', '-p', queue]);
      if (!shown.ok) return shown;
      return ok({ done, state: parseQueueState(shown.value) });
    },
    async cancel(id) {
      const cancelled = await run('cancel', [id]);
      return cancelled.ok ? ok(undefined) : cancelled;
    },
  };
}

const said = (fault: PrinterFault) => ('said' in fault ? fault.said : '');

function runClient(program: string, args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<Result<string, PrinterFault>>((resolve) => {
    execFile(program, args, { timeout: 10_000, encoding: 'utf8', env }, (error, stdout, stderr) => {
      if (!error) return resolve(ok(stdout));
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return resolve(err({ kind: 'no-print-system', program }));
      }
      resolve(err(clientFault((stderr || error.message).trim().split('\n')[0] ?? '')));
    });
  });
}

/** What a client's error line means, e.g. "lp: Error - The printer or class does not exist." */
export function clientFault(line: string): PrinterFault {
  if (/does not exist|Invalid destination|Unknown destination/i.test(line)) {
    return { kind: 'missing', said: line };
  }
  if (/not accepting jobs|Scheduler is not running|Unable to connect|Host is down/i.test(line)) {
    return { kind: 'offline', said: line };
  }
  return { kind: 'failed', said: line };
}

/**
 * `lpstat -l -p QUEUE`: "printer Q is idle.  enabled since …" (or "disabled since"), on the
 * next line the state message where there is one, and among the details `Alerts: …`.
 */
export function parseQueueState(text: string): QueueState {
  const lines = text.split('\n');
  const first = lines[0] ?? '';
  const second = lines[1]?.trim() ?? '';
  // Without a state message the second line is already a detail ("Form mounted:").
  const message = /:$/.test(second) ? '' : second;
  const alertsLine = lines.find((line) => /^\s*Alerts:/.test(line)) ?? '';
  const alerts = alertsLine
    .replace(/^\s*Alerts:/, '')
    .trim()
    .split(/\s+/)
    .filter((alert) => alert !== '' && alert !== 'none');
  return { enabled: !/ disabled since /.test(first), message, alerts };
}

/**
 * What the printer's state says is wrong now, or null. Paper and a stopped queue count at
 * once; anything else only once the job has waited too long (`patience` spent): "connecting"
 * or "unavailable" is also what a printer says for a moment while it wakes up.
 */
export function stateFault(state: QueueState, patience: 'waiting' | 'spent'): PrinterFault | null {
  const words = state.message || state.alerts.join(' ');
  if (
    state.alerts.some((alert) => /^media-(empty|needed)/.test(alert)) ||
    /out of paper|paper (is )?(out|empty)|no paper|media (empty|needed)/i.test(state.message)
  ) {
    return { kind: 'out-of-paper', said: words };
  }
  if (!state.enabled) return { kind: 'offline', said: words || 'the queue is stopped' };
  if (patience === 'waiting') return null;
  return { kind: 'offline', said: words };
}

export interface WaitOptions {
  /** How long CUPS may take to hand the job to the printer. */
  waitMs: number;
  /** Between looks at the job. */
  pollMs?: number;
}

/**
 * Waits until CUPS has handed job `id` to the printer. A fault CUPS reports (no paper, the
 * queue stopped) ends the wait at once; after `waitMs` the printer's state says why not
 * (`offline` with its state message, '' when it said nothing). The caller decides whether
 * to cancel a job that was not taken.
 */
export async function waitForJob(
  system: PrintSystem,
  queue: string,
  id: string,
  options: WaitOptions,
): Promise<Result<void, PrinterFault>> {
  const until = Date.now() + options.waitMs;
  let message = '';
  for (;;) {
    const job = await system.job(queue, id);
    if (!job.ok) return job;
    if (job.value.done) return ok(undefined);
    const { state } = job.value;
    message = state.message || message;
    const spent = Date.now() > until;
    const fault = stateFault({ ...state, message }, spent ? 'spent' : 'waiting');
    if (fault) return err(fault);
    await sleep(options.pollMs ?? 250);
  }
}
