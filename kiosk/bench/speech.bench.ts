/**
 * Speech benchmark: the real kiosk core (SQLite file, board simulator over a pty), the
 * narrator and espeak-ng piping its WAV stream into a player (`cat`, which only consumes it:
 * a sound card's buffer is not what is measured). Prints one JSON object.
 *
 *   speech_start_ms  a screen change (the core publishes the view) → the first audio sample
 *                    out of espeak-ng, on its way to the player (the code entry screen
 *                    after a wrong code: its error, step, title, choices), German and Arabic
 */
import { silentLogger } from '@amtomat/basics';
import { startNarrator } from '../src/speech/narrator.ts';
import { espeakProblem, espeakSpeech, type Speaking } from '../src/speech/speech.ts';
import { startKiosk } from '../src/testing/kiosk-fixture.ts';

const WARMUP = 5;
const CHANGES = 100;
const WRONG_CODE = '999999';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: round(at(0.5)), p99: round(at(0.99)), n: sorted.length };
}
const round = (value: number) => Math.round(value * 1000) / 1000;
const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

async function speechStart() {
  const problem = espeakProblem();
  if (problem) {
    print({ name: 'speech_start_ms', skipped: problem });
    return;
  }
  const kiosk = await startKiosk();
  let last: { speaking: Speaking; viewAt: number; at: number } | undefined;
  const speech = espeakSpeech({ player: ['cat'], logger: silentLogger });
  const narrator = startNarrator({
    core: kiosk.core,
    speech,
    logger: silentLogger,
    onSay: (speaking, viewAt) => {
      last = { speaking, viewAt, at: performance.now() };
    },
  });
  /** Until the screen is `screen` and nothing more was said for a while. */
  async function quiet(screen: string) {
    for (;;) {
      await sleep(5);
      const settled = !last || performance.now() - last.at > 25;
      if (settled && kiosk.core.view().screen === screen) return;
    }
  }
  /**
   * Sends `event` and measures the screen change it ends in: its view published → the first
   * sample of what is said for it (what the screens in between said was cut short).
   */
  async function change(event: Record<string, unknown>, screen: string): Promise<number> {
    const before = last;
    kiosk.press(event);
    await quiet(screen);
    if (!last || last === before) throw new Error(`nothing said for ${String(event.type)}`);
    const started = await last.speaking.started;
    if (started === null) throw new Error(`no audio for ${String(event.type)}`);
    return started - last.viewAt;
  }

  await kiosk.waitForScreen('attract');
  kiosk.press({ type: 'SET_ACCESSIBILITY', settings: { speech: true } });
  kiosk.press({ type: 'CHOOSE', service: 'document-pickup' });
  await quiet('pickup.code');
  const samples: number[] = [];
  for (let i = 0; i < WARMUP + CHANGES; i++) {
    // Half in Arabic: its voice must start as fast as the German one.
    kiosk.press({ type: 'SET_LANGUAGE', language: i % 2 === 0 ? 'de' : 'ar' });
    kiosk.press({ type: 'CLEAR' });
    for (const key of WRONG_CODE) kiosk.press({ type: 'KEY', key });
    await quiet('pickup.code');
    // A wrong code: "checking", then the code entry again with its error (a lock after
    // five: the screens and their speech stay the same).
    const sample = await change({ type: 'SUBMIT' }, 'pickup.code');
    if (i >= WARMUP) samples.push(sample);
  }
  print({
    name: 'speech_start_ms',
    ...percentiles(samples),
    note: 'screen change (view published) → first audio sample from espeak-ng; code entry after a wrong code, de and ar',
    engine: 'espeak-ng',
  });
  narrator.close();
  await speech.close();
  await kiosk.close();
}

await speechStart();
