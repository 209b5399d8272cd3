/**
 * A neural voice: Piper (VITS) models through sherpa-onnx, for each language whose model
 * files the site file names (`speech.voices`). espeak-ng stays the voice of every other
 * language, and of a configured one until its model is loaded or when it cannot be used
 * (files missing or corrupt, the module absent): one log line for that language, never
 * silence. `sherpa-onnx-node` is an optional dependency, imported only when a voice is
 * configured, so a kiosk without one never loads it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Logger } from '@amtomat/basics';
import type { Language } from '../flows/session.machine.ts';
import { BASE_RATE, type Speaking, type Speech, type Utterance } from './speech.ts';

/** One voice's files, as a Piper voice converted for sherpa-onnx ships them. */
export interface NeuralVoice {
  /** The VITS model (`*.onnx`). */
  model: string;
  /** `tokens.txt` beside it. */
  tokens: string;
  /** Piper voices: their `espeak-ng-data` folder (the phonemiser's data). */
  dataDir?: string | undefined;
  /** Speaker of a multi-speaker model; default 0. */
  speaker?: number | undefined;
}

/** A loaded model: text in, mono samples (−1…1) out. */
export interface Synthesiser {
  readonly sampleRate: number;
  generate(text: string, options: { speed: number; speaker: number }): Promise<Float32Array>;
}

export type LoadVoice = (voice: NeuralVoice) => Promise<Synthesiser>;

/** What the module gives us; checked before use, it is not typed by its package. */
interface SherpaModule {
  OfflineTts: {
    createAsync(config: object): Promise<{
      sampleRate: number;
      generateAsync(request: { text: string; sid: number; speed: number }): Promise<{
        samples: Float32Array;
        sampleRate: number;
      }>;
    }>;
  };
}

const SHERPA_MODULE = 'sherpa-onnx-node';

/**
 * Loads `voice` with sherpa-onnx. Rejects with one line: a file missing, the module not
 * installed, or the model refused (sherpa-onnx checks the files and the model's format).
 */
export function sherpaLoader(moduleName = SHERPA_MODULE): LoadVoice {
  return async (voice) => {
    const missing = [voice.model, voice.tokens, voice.dataDir].filter(
      (path): path is string => path !== undefined && !existsSync(path),
    );
    if (missing.length > 0) throw new Error(`missing: ${missing.join(', ')}`);
    let imported: { default?: unknown };
    try {
      imported = (await import(moduleName)) as { default?: unknown };
    } catch (error) {
      throw new Error(`${moduleName} cannot be loaded: ${(error as Error).message.split('\n')[0]}`);
    }
    const sherpa = (imported.default ?? imported) as Partial<SherpaModule>;
    if (typeof sherpa.OfflineTts?.createAsync !== 'function') {
      throw new Error(`${moduleName} has no OfflineTts.createAsync`);
    }
    const tts = await sherpa.OfflineTts.createAsync({
      model: {
        vits: { model: voice.model, tokens: voice.tokens, dataDir: voice.dataDir ?? '' },
        numThreads: 1,
        provider: 'cpu',
        debug: false,
      },
      maxNumSentences: 1,
    });
    return {
      sampleRate: tts.sampleRate,
      async generate(text, { speed, speaker }) {
        return (await tts.generateAsync({ text, sid: speaker, speed })).samples;
      },
    };
  };
}

/** Mono samples (−1…1) at `volume` (espeak-ng's scale: 100 is as generated) as a 16-bit WAV. */
export function wavOf(samples: Float32Array, sampleRate: number, volume = 100): Buffer {
  const gain = volume / 100;
  const data = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    const sample = Math.max(-1, Math.min(1, (samples[i] ?? 0) * gain));
    data.writeInt16LE(Math.round(sample * 32767), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16); // PCM format chunk
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28); // bytes per second
  header.writeUInt16LE(2, 32); // bytes per frame
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

export interface NeuralOptions {
  voices: Partial<Record<Language, NeuralVoice>>;
  /** espeak-ng (or whatever the site has): every other language, and any failure. */
  fallback: Speech;
  /** The system's player reading a WAV stream on its standard input; default `aplay -q`. */
  player?: readonly string[] | undefined;
  logger: Logger;
  /** Default: sherpa-onnx (tests: a loader of their own, or a missing module). */
  load?: LoadVoice;
}

export interface NeuralSpeech extends Speech {
  /** Resolves when every configured voice is loaded or has given up (logged). */
  ready(): Promise<void>;
  /** Languages whose neural voice is loaded and has not failed. */
  neuralLanguages(): Language[];
}

/** An utterance interrupted before it made a sound. */
const cutShort = (): Speaking => ({
  started: Promise.resolve(null),
  done: Promise.resolve('interrupted'),
});

/** Leichte Sprache is German: a German voice serves it unless it has one of its own. */
const voiceLanguage = (language: Language, voices: NeuralOptions['voices']): Language =>
  language === 'de-easy' && !voices['de-easy'] ? 'de' : language;

/** Neural voices where configured and working, `fallback` for everything else. */
export function neuralSpeech(options: NeuralOptions): NeuralSpeech {
  const { fallback, logger } = options;
  const load = options.load ?? sherpaLoader();
  const player = options.player ?? ['aplay', '-q'];
  const loaded = new Map<Language, Synthesiser>();
  const gaveUp = (language: Language, event: string, reason: string) => {
    if (!loaded.has(language) && event === 'speech.neural_failed') return;
    loaded.delete(language);
    logger.log('warn', event, { language, reason, instead: fallback.name });
  };
  const loading = Object.entries(options.voices).map(async ([language, voice]) => {
    const started = performance.now();
    try {
      const synthesiser = await load(voice);
      loaded.set(language as Language, synthesiser);
      logger.log('info', 'speech.neural_ready', {
        language,
        sampleRate: synthesiser.sampleRate,
        loadMs: Math.round(performance.now() - started),
      });
    } catch (error) {
      gaveUp(language as Language, 'speech.neural_unavailable', (error as Error).message);
    }
  });

  let current: { interrupt(): void } | undefined;
  function stop() {
    current?.interrupt();
    current = undefined;
    fallback.stop();
  }

  function sayNeural(u: Utterance, language: Language, synthesiser: Synthesiser): Speaking {
    let interrupted = false;
    let processes: ChildProcess[] = [];
    const speaking = {
      interrupt() {
        interrupted = true;
        for (const child of processes) child.kill('SIGKILL');
      },
    };
    current = speaking;
    const speaker = options.voices[language]?.speaker ?? 0;
    const samples = synthesiser
      .generate(u.text, { speed: u.rate / BASE_RATE, speaker })
      .then((generated) => {
        if (generated.length === 0) throw new Error('the model gave no audio');
        return generated;
      });
    const played = samples.then<Speaking, Speaking>(
      (generated) => {
        if (interrupted) return cutShort();
        const wav = wavOf(generated, synthesiser.sampleRate, u.volume);
        const playing = play(player, wav, logger);
        processes = playing.processes;
        return playing.started.then((at): Speaking => {
          if (at !== null || interrupted) return playing;
          // No player here (`aplay` missing): espeak-ng plays by itself.
          gaveUp(language, 'speech.neural_failed', `the player ${player[0]} does not run`);
          return fallback.say(u);
        });
      },
      (error: unknown) => {
        // A voice that fails mid-session: said once, then espeak-ng for that language.
        gaveUp(language, 'speech.neural_failed', (error as Error).message);
        if (interrupted) return cutShort();
        return fallback.say(u);
      },
    );
    const done = played.then(async (result) => {
      const end = await result.done;
      return interrupted ? ('interrupted' as const) : end;
    });
    void done.then(() => {
      if (current === speaking) current = undefined;
    });
    return { started: played.then((result) => result.started), done };
  }

  return {
    name: `neural+${fallback.name}`,
    say(u) {
      stop();
      const language = voiceLanguage(u.language, options.voices);
      const synthesiser = loaded.get(language);
      return synthesiser ? sayNeural(u, language, synthesiser) : fallback.say(u);
    },
    stop,
    async ready() {
      await Promise.all(loading);
    },
    neuralLanguages: () => [...loaded.keys()],
    async close() {
      stop();
      await Promise.all(loading);
      await fallback.close();
    },
  };
}

/** Plays `wav` through `player` (its standard input); started once the player has it. */
function play(
  player: readonly string[],
  wav: Buffer,
  logger: Logger,
): Speaking & { processes: ChildProcess[] } {
  const [command, ...args] = player;
  const child = spawn(command ?? 'aplay', args, { stdio: ['pipe', 'ignore', 'ignore'] });
  child.stdin.on('error', () => {}); // a killed player: the rest of the audio has nowhere to go
  const started = new Promise<number | null>((resolve) => {
    child.on('spawn', () => resolve(performance.now()));
    child.on('error', () => resolve(null));
  });
  const done = new Promise<'finished' | 'interrupted' | 'failed'>((resolve) => {
    child.on('error', (error) => {
      logger.log('warn', 'speech.player_failed', { player: command, error: error.message });
      resolve('failed');
    });
    child.on('close', (code, signal) => {
      resolve(code === 0 ? 'finished' : signal === 'SIGKILL' ? 'interrupted' : 'failed');
    });
  });
  child.stdin.end(wav);
  return { processes: [child], started, done };
}
