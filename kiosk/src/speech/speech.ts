/**
 * The terminal's voice: a `Speech` port that the service drives (the page may crash; the
 * service owns the audio device). Implementations: espeak-ng from Debian's packages,
 * playing itself or through the system's player (`aplay`, `paplay`); a capture that writes
 * one WAV file and the text of each utterance (tests); and silence, when espeak-ng is
 * missing. Each new utterance interrupts the one before.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@amtomat/basics';
import type { Language, SpeechSettings } from '../flows/session.machine.ts';

export interface Utterance {
  text: string;
  /** The session's language (for the capture and the log). */
  language: Language;
  /** espeak-ng voice name. */
  voice: string;
  /** Words per minute. */
  rate: number;
  /** espeak-ng amplitude, 0–200 (100: normal). */
  volume: number;
}

export interface Speaking {
  /** When the first audio sample was there (`performance.now()`); null if it never was. */
  started: Promise<number | null>;
  done: Promise<'finished' | 'interrupted' | 'failed'>;
}

export interface Speech {
  /** For the log: `espeak-ng`, `capture`, `silent`. */
  readonly name: string;
  /** Says `utterance`, interrupting whatever is being said. */
  say(utterance: Utterance): Speaking;
  /** Stops talking. */
  stop(): void;
  close(): Promise<void>;
}

/** espeak-ng's voice for each language of the terminal (Leichte Sprache: German, slower). */
export const VOICES: Record<Language, string> = {
  de: 'de',
  'de-easy': 'de',
  en: 'en-gb',
  tr: 'tr',
  ar: 'ar',
  uk: 'uk',
  ru: 'ru',
  pl: 'pl',
};
/** espeak-ng's words per minute at the normal rate (a neural voice's speed 1). */
export const BASE_RATE = 165;
const EASY_RATE = 130;
const RATE_STEP = 0.15;
const VOLUME_STEP = 25;

/** The utterance for `text` in `language` at the session's volume and rate steps. */
export function utterance(
  text: string,
  language: Language,
  settings: Pick<SpeechSettings, 'volume' | 'rate'>,
): Utterance {
  const base = language === 'de-easy' ? EASY_RATE : BASE_RATE;
  return {
    text,
    language,
    voice: VOICES[language],
    rate: Math.round(base * (1 + RATE_STEP * settings.rate)),
    volume: Math.max(10, Math.min(200, 100 + VOLUME_STEP * settings.volume)),
  };
}

const espeakArgs = (u: Utterance) => ['-v', u.voice, '-s', String(u.rate), '-a', String(u.volume)];

/** A WAV stream's header; audio samples follow it. */
const WAV_HEADER_BYTES = 44;

/** Whether espeak-ng runs here; else one line saying what to install. */
export function espeakProblem(binary = 'espeak-ng'): string | null {
  const probe = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 5000 });
  if (probe.error || probe.status !== 0) {
    return `${binary} is not installed or does not run: speech output is off (install the Debian package espeak-ng)`;
  }
  return null;
}

export interface EspeakOptions {
  binary?: string;
  /**
   * The system's player, reading a WAV stream on its standard input (e.g. `['aplay', '-q']`,
   * `['paplay']`). Without it espeak-ng plays on the default audio device itself.
   */
  player?: readonly string[];
  logger: Logger;
}

/** Speech through espeak-ng, played by itself or by the configured player. */
export function espeakSpeech(options: EspeakOptions): Speech {
  const binary = options.binary ?? 'espeak-ng';
  let current: { processes: ChildProcess[]; interrupt(): void } | undefined;

  function stop() {
    current?.interrupt();
    current = undefined;
  }

  return {
    name: 'espeak-ng',
    say(u) {
      stop();
      const player = options.player;
      const synth = spawn(binary, [...espeakArgs(u), ...(player ? ['--stdout'] : []), '--stdin'], {
        stdio: ['pipe', player ? 'pipe' : 'ignore', 'ignore'],
      });
      const processes: ChildProcess[] = [synth];
      let interrupted = false;
      let resolveStarted: (at: number | null) => void = () => {};
      const started = new Promise<number | null>((resolve) => {
        resolveStarted = resolve;
      });
      if (player) {
        const [command, ...args] = player;
        const play = spawn(command ?? 'aplay', args, { stdio: ['pipe', 'ignore', 'ignore'] });
        processes.push(play);
        play.stdin.on('error', () => {}); // a killed player: the synth's output has nowhere to go
        play.on('error', (error) => {
          options.logger.log('warn', 'speech.player_failed', {
            player: command,
            error: error.message,
          });
        });
        let bytes = 0;
        synth.stdout?.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes > WAV_HEADER_BYTES) resolveStarted(performance.now());
        });
        synth.stdout?.pipe(play.stdin);
      } else {
        // espeak-ng opens the audio device itself: its start is as close as we can see.
        synth.on('spawn', () => resolveStarted(performance.now()));
      }
      synth.stdin?.on('error', () => {});
      synth.stdin?.end(u.text);
      const done = new Promise<'finished' | 'interrupted' | 'failed'>((resolve) => {
        let left = processes.length;
        let failed = false;
        for (const child of processes) {
          child.on('error', () => {
            failed = true;
          });
          child.on('close', (code) => {
            if (code !== 0 && code !== null) failed = true;
            left -= 1;
            if (left > 0) return;
            resolveStarted(null);
            resolve(interrupted ? 'interrupted' : failed ? 'failed' : 'finished');
          });
        }
      });
      const speaking = {
        processes,
        interrupt() {
          interrupted = true;
          for (const child of processes) child.kill('SIGKILL');
        },
      };
      current = speaking;
      void done.then(() => {
        if (current === speaking) current = undefined;
      });
      return { started, done };
    },
    stop,
    async close() {
      stop();
    },
  };
}

/** One utterance as the capture wrote it. */
export interface Captured extends Utterance {
  /** The WAV file espeak-ng wrote. */
  wav: string;
}

export interface CaptureSpeech extends Speech {
  /** Everything said, in order. */
  readonly spoken: readonly Captured[];
  /** Resolves when every WAV file asked for so far is written. */
  settled(): Promise<void>;
}

/**
 * For tests: every utterance is synthesised to `dir/NNNN.wav` with its text beside it
 * (`NNNN.txt`, and one JSON line in `dir/spoken.jsonl`). Nothing is played, and nothing is
 * cut short, so each file holds the whole utterance.
 */
export function captureSpeech(options: { dir: string; binary?: string }): CaptureSpeech {
  const binary = options.binary ?? 'espeak-ng';
  mkdirSync(options.dir, { recursive: true });
  const spoken: Captured[] = [];
  const pending = new Set<Promise<unknown>>();
  return {
    name: 'capture',
    spoken,
    say(u) {
      const base = join(options.dir, String(spoken.length + 1).padStart(4, '0'));
      const captured: Captured = { ...u, wav: `${base}.wav` };
      spoken.push(captured);
      writeFileSync(`${base}.txt`, `${u.text}\n`);
      appendFileSync(join(options.dir, 'spoken.jsonl'), `${JSON.stringify(captured)}\n`);
      const synth = spawn(binary, [...espeakArgs(u), '-w', captured.wav, '--stdin'], {
        stdio: ['pipe', 'ignore', 'ignore'],
      });
      synth.stdin.end(u.text);
      const startedAt = performance.now();
      const done = new Promise<'finished' | 'failed'>((resolve) => {
        synth.on('error', () => resolve('failed'));
        synth.on('close', (code) => resolve(code === 0 ? 'finished' : 'failed'));
      });
      pending.add(done);
      void done.then(() => pending.delete(done));
      return { started: done.then((end) => (end === 'finished' ? startedAt : null)), done };
    },
    stop() {},
    async settled() {
      while (pending.size > 0) await Promise.all(pending);
    },
    async close() {
      await this.settled();
    },
  };
}

/** No voice: espeak-ng is missing (logged once at the start). */
export const silentSpeech: Speech = {
  name: 'silent',
  say: () => ({ started: Promise.resolve(null), done: Promise.resolve('failed') }),
  stop() {},
  async close() {},
};

/** espeak-ng if it runs here, else silence and one log line saying what to install. */
export function openSpeech(options: EspeakOptions): Speech {
  const problem = espeakProblem(options.binary);
  if (problem) {
    options.logger.log('warn', 'speech.unavailable', { reason: problem });
    return silentSpeech;
  }
  return espeakSpeech(options);
}
