/**
 * The kiosk's local RPC under a flood (issue #9, point 4): the service in its own process
 * (`main.ts --demo --headless`), several clients with the cookie posting ~2,000 events/s
 * and 200 view streams asked for (from a worker thread), while this thread probes
 * /healthz every 50 ms. Prints one JSON object per line.
 *
 *   rpc_healthz_under_flood_ms   /healthz round trip under the flood, p50/p99/max; a probe
 *                                unanswered after 5 s counts as `unanswered`. Goal: p99
 *                                ≤ 100 ms. Baseline before the limits: median 14.8 s.
 *   rpc_healthz_under_anonymous_flood_ms   the same flood from clients without the cookie
 *                                (every request refused with 401 and logged).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const MAIN = join(import.meta.dirname, '..', 'src', 'service', 'main.ts');
const CLIENTS = 8;
const EVENTS_PER_S = 2000;
const STREAMS = 200;
const WARMUP_MS = 1000;
const MEASURE_MS = 10_000;
const PROBE_EVERY_MS = 50;
const PROBE_TIMEOUT_MS = 5000;
const GOAL_P99_MS = 100;
const BASELINE_P50_MS = 14_800;

interface FloodSetup {
  origin: string;
  cookie: string;
  durationMs: number;
}

interface FloodResult {
  sent: number;
  statuses: Record<string, number>;
  streams: Record<string, number>;
}

const round = (value: number) => Math.round(value * 10) / 10;

function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted.at(-1) ?? 0) };
}

/** One HTTP exchange; resolves with the status (0: failed) and drops the body. */
function exchange(
  url: string,
  options: { method?: string; headers?: Record<string, string>; agent?: Agent; body?: string },
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { ...options, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end(options.body);
  });
}

/** The worker: view streams, then events at a steady rate from several clients. */
async function flood({ origin, cookie, durationMs }: FloodSetup): Promise<FloodResult> {
  const streams: Record<string, number> = {};
  const open: Array<() => void> = [];
  for (let i = 0; i < STREAMS; i++) {
    const req = request(`${origin}/api/views`, { headers: { Cookie: cookie } }, (res) => {
      const status = String(res.statusCode);
      streams[status] = (streams[status] ?? 0) + 1;
      res.resume();
    });
    req.on('error', () => {});
    req.end();
    open.push(() => req.destroy());
  }
  const headers = { 'Content-Type': 'application/json', Origin: origin, Cookie: cookie };
  const statuses: Record<string, number> = {};
  let sent = 0;
  const inFlight: Promise<void>[] = [];
  const clients = Array.from({ length: CLIENTS }, () => new Agent({ keepAlive: true }));
  const perTick = EVENTS_PER_S / 100 / CLIENTS;
  const start = performance.now();
  let due = 0;
  while (performance.now() - start < durationMs) {
    due += perTick;
    for (; due >= 1; due--) {
      for (const agent of clients) {
        const body = JSON.stringify({
          type: 'SET_LANGUAGE',
          language: sent % 2 === 0 ? 'en' : 'de',
        });
        sent++;
        const done = exchange(`${origin}/api/event`, { method: 'POST', headers, agent, body });
        inFlight.push(
          done.then((status) => {
            statuses[status] = (statuses[status] ?? 0) + 1;
          }),
        );
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await Promise.all(inFlight);
  for (const close of open) close();
  for (const agent of clients) agent.destroy();
  return { sent, statuses, streams };
}

async function spawnService(dir: string): Promise<{ child: ChildProcess; authUrl: string }> {
  const child = spawn(
    process.execPath,
    [MAIN, '--demo', '--headless', '--port', '0', '--data', dir],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const authUrl = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /^Kiosk: (\S+)/.exec(line);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`service exited with ${code}`)));
  });
  return { child, authUrl };
}

async function signIn(authUrl: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request(authUrl, (res) => {
      res.resume();
      const cookie = String(res.headers['set-cookie']).split(';')[0];
      if (res.statusCode === 303 && cookie) resolve(cookie);
      else reject(new Error(`sign-in refused: ${res.statusCode}`));
    })
      .on('error', reject)
      .end();
  });
}

async function measure(name: string, withCookie: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'amtomat-rpc-bench-'));
  const { child, authUrl } = await spawnService(dir);
  try {
    const origin = new URL(authUrl).origin;
    const cookie = withCookie ? await signIn(authUrl) : 'kiosk_auth=guess';
    const worker = new Worker(new URL(import.meta.url), {
      workerData: { origin, cookie, durationMs: WARMUP_MS + MEASURE_MS } satisfies FloodSetup,
    });
    const result = new Promise<FloodResult>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await new Promise((resolve) => setTimeout(resolve, WARMUP_MS));
    const samples: number[] = [];
    const probes: Promise<void>[] = [];
    let unanswered = 0;
    const end = performance.now() + MEASURE_MS;
    // Probes on a fixed schedule, not one after another: a stalled probe cannot hide others.
    while (performance.now() < end) {
      const sent = performance.now();
      probes.push(
        exchange(`${origin}/healthz`, {}).then((status) => {
          if (status === 200) samples.push(performance.now() - sent);
          else unanswered++;
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
    }
    await Promise.all(probes);
    const flooded = await result;
    const health = percentiles(samples.length > 0 ? samples : [Number.NaN]);
    process.stdout.write(
      `${JSON.stringify({
        name,
        ...health,
        n: samples.length,
        unanswered,
        goal_p99_ms: GOAL_P99_MS,
        goal_met: unanswered === 0 && health.p99 <= GOAL_P99_MS,
        baseline_p50_ms: BASELINE_P50_MS,
        events_per_s: Math.round(flooded.sent / ((WARMUP_MS + MEASURE_MS) / 1000)),
        event_statuses: flooded.statuses,
        clients: CLIENTS,
        streams_asked: STREAMS,
        stream_statuses: flooded.streams,
        note: 'service in its own process; flood from a worker thread; /healthz every 50 ms',
      })}\n`,
    );
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMainThread) {
  // A benchmark that stalls is a failure to report, not a wait without end.
  setTimeout(() => {
    process.stderr.write('rpc bench: no progress for 120 s, giving up\n');
    process.exit(1);
  }, 120_000).unref();
  await measure('rpc_healthz_under_flood_ms', true);
  await measure('rpc_healthz_under_anonymous_flood_ms', false);
} else {
  parentPort!.postMessage(await flood(workerData as FloodSetup));
}
