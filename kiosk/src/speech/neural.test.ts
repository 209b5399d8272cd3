/**
 * The neural voice's choice and its fallback. No Piper model can be had here (none ships
 * in a registry package this project reaches), so real neural synthesis is not tested:
 * the real sherpa-onnx loader is tested on missing and corrupt model files and a missing
 * module; routing, playback and the fallback on a model that fails mid-session use a
 * synthesiser of the test's own (a tone), played through a real player process into a
 * WAV that sox measures; espeak-ng is real throughout.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import { memoryLogger } from '@amtomat/basics';
import { loadSiteConfig } from '../service/config.ts';
import { openDemoHardware } from '../service/demo.ts';
import { DEMO_SITE, startService } from '../service/service.ts';
import { tempDir } from '../store/test-support.ts';
import { until } from '../testing/wait.ts';
import { type LoadVoice, type NeuralVoice, neuralSpeech, sherpaLoader } from './neural.ts';
import { soxFigures } from './sox.testing.ts';
import { espeakSpeech, utterance } from './speech.ts';

const SETTINGS = { volume: 0, rate: 0 };
const TEXT = 'Bitte nehmen Sie Ihr Dokument aus Fach A2.';

/** A player that keeps each utterance as `dir/<its pid>.wav`, for sox. */
const keeper = (dir: string) => ['sh', '-c', 'cat > "$1/$$.wav"', 'player', dir];
const kept = (dir: string) =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.wav'))
    .map((name) => join(dir, name));

/** A voice's files as an operator lays them out; `model` holds `modelBytes`. */
function voiceFiles(t: TestContext, modelBytes: Buffer | null): NeuralVoice {
  const dir = tempDir(t, 'amtomat-voice-');
  const voice = { model: join(dir, 'de_DE-test.onnx'), tokens: join(dir, 'tokens.txt') };
  if (modelBytes) writeFileSync(voice.model, modelBytes);
  writeFileSync(voice.tokens, '_ 0\na 1\nb 2\n');
  return voice;
}

/** The test's synthesiser: a 440 Hz tone, 60 ms a character at speed 1. */
const toneLoader =
  (calls: { speed: number }[], fail?: () => boolean): LoadVoice =>
  async () => ({
    sampleRate: 22050,
    async generate(text, { speed }) {
      calls.push({ speed });
      if (fail?.()) throw new Error('onnxruntime: the model gave up');
      const samples = new Float32Array(Math.round((22050 * 0.06 * text.length) / speed));
      for (let i = 0; i < samples.length; i++)
        samples[i] = 0.5 * Math.sin((2 * Math.PI * 440 * i) / 22050);
      return samples;
    },
  });

function measured(file: string) {
  const figures = soxFigures(file);
  return {
    seconds: figures['Length (seconds)'] ?? 0,
    amplitude: figures['Maximum amplitude'] ?? 0,
  };
}

describe('the neural voice where the site configures one, espeak-ng elsewhere', () => {
  test('the configured language speaks neurally, another with espeak-ng; Leichte Sprache with the German voice, slower', async (t) => {
    const dir = tempDir(t, 'amtomat-neural-');
    const logger = memoryLogger();
    const calls: { speed: number }[] = [];
    const speech = neuralSpeech({
      voices: { de: { model: '/voices/de.onnx', tokens: '/voices/tokens.txt' } },
      fallback: espeakSpeech({ player: keeper(join(dir, 'espeak')), logger }),
      player: keeper(join(dir, 'neural')),
      logger,
      load: toneLoader(calls),
    });
    mkdirSync(join(dir, 'espeak'));
    mkdirSync(join(dir, 'neural'));
    await speech.ready();
    assert.deepEqual(speech.neuralLanguages(), ['de']);
    assert.equal(speech.name, 'neural+espeak-ng');

    const german = speech.say(utterance(TEXT, 'de', SETTINGS));
    assert.equal(typeof (await german.started), 'number');
    assert.equal(await german.done, 'finished');
    const [neuralWav] = kept(join(dir, 'neural'));
    assert.ok(neuralWav);
    const tone = measured(neuralWav);
    assert.ok(Math.abs(tone.seconds - 0.06 * TEXT.length) < 0.01, `${tone.seconds} s`);
    assert.ok(tone.amplitude > 0.4, 'the samples, at normal volume');

    assert.equal(await speech.say(utterance(TEXT, 'de-easy', SETTINGS)).done, 'finished');
    assert.ok(calls[1]!.speed < calls[0]!.speed, 'Leichte Sprache is slower');

    assert.equal(
      await speech.say(utterance('Please take your document.', 'en', SETTINGS)).done,
      'finished',
    );
    assert.equal(calls.length, 2, 'English is not sent to the German model');
    const [espeakWav] = kept(join(dir, 'espeak'));
    assert.ok(espeakWav, 'espeak-ng said the English');
    assert.ok(measured(espeakWav).amplitude > 0.1, 'not silent');
    assert.equal(logger.entries.filter((entry) => entry.level === 'warn').length, 0);
    await speech.close();
  });

  test('a new utterance interrupts the neural one; the volume scales the samples', async (t) => {
    const dir = tempDir(t, 'amtomat-neural-');
    const logger = memoryLogger();
    const options = {
      voices: { ar: { model: '/voices/ar.onnx', tokens: '/voices/tokens.txt' } },
      fallback: espeakSpeech({ player: ['cat'], logger }),
      logger,
      load: toneLoader([]),
    };
    // A player that takes its time, as a real one plays in real time.
    const slow = neuralSpeech({ ...options, player: ['sleep', '5'] });
    await slow.ready();
    const first = slow.say(utterance(TEXT, 'ar', SETTINGS));
    assert.equal(typeof (await first.started), 'number');
    const second = slow.say(utterance(TEXT, 'ar', SETTINGS));
    assert.equal(await first.done, 'interrupted');
    await second.started;
    slow.stop();
    assert.equal(await second.done, 'interrupted');
    await slow.close();

    const speech = neuralSpeech({ ...options, player: keeper(dir) });
    await speech.ready();
    assert.equal(await speech.say(utterance(TEXT, 'ar', SETTINGS)).done, 'finished');
    const [normal] = kept(dir);
    assert.equal(await speech.say(utterance(TEXT, 'ar', { volume: -2, rate: 0 })).done, 'finished');
    const quiet = kept(dir).find((file) => file !== normal);
    assert.ok(normal && quiet);
    const ratio = measured(quiet).amplitude / measured(normal).amplitude;
    assert.ok(Math.abs(ratio - 0.5) < 0.02, `two steps down: half as loud (${ratio})`);
    await speech.close();
  });

  test('a model that fails mid-session: one log line, espeak-ng says it and what follows', async (t) => {
    const dir = tempDir(t, 'amtomat-neural-');
    const logger = memoryLogger();
    const calls: { speed: number }[] = [];
    const speech = neuralSpeech({
      voices: { de: { model: '/voices/de.onnx', tokens: '/voices/tokens.txt' } },
      fallback: espeakSpeech({ player: keeper(dir), logger }),
      player: ['sh', '-c', 'cat > /dev/null'],
      logger,
      load: toneLoader(calls, () => true),
    });
    await speech.ready();
    for (let i = 0; i < 2; i++) {
      const said = speech.say(utterance(TEXT, 'de', SETTINGS));
      assert.equal(typeof (await said.started), 'number', 'never silence');
      assert.equal(await said.done, 'finished');
    }
    assert.equal(calls.length, 1, 'the failed voice is not asked again');
    const failed = logger.entries.filter((entry) => entry.event === 'speech.neural_failed');
    assert.equal(failed.length, 1);
    assert.deepEqual(failed[0]?.fields, {
      language: 'de',
      reason: 'onnxruntime: the model gave up',
      instead: 'espeak-ng',
    });
    const wavs = kept(dir);
    assert.equal(wavs.length, 2);
    for (const wav of wavs) assert.ok(measured(wav).amplitude > 0.1, 'espeak-ng, not silent');
    assert.deepEqual(speech.neuralLanguages(), []);
    await speech.close();
  });
});

describe('the real sherpa-onnx loader refuses what it cannot use, and espeak-ng speaks', () => {
  test('missing files, a corrupt model, a module that is not there: one line each', async (t) => {
    const missing = voiceFiles(t, null);
    const corrupt = voiceFiles(t, Buffer.from('not an onnx model, just bytes'.repeat(40)));
    const load = sherpaLoader();
    await assert.rejects(load(missing), (error: Error) => {
      assert.equal(error.message, `missing: ${missing.model}`);
      return true;
    });
    // sherpa-onnx-node is an optional dependency: installed here, it reads and refuses the file.
    await assert.rejects(load(corrupt), /Protobuf parsing failed/);
    await assert.rejects(
      sherpaLoader('sherpa-onnx-node-not-installed')(corrupt),
      /^Error: sherpa-onnx-node-not-installed cannot be loaded: /,
    );

    const dir = tempDir(t, 'amtomat-neural-');
    const logger = memoryLogger();
    const speech = neuralSpeech({
      voices: { de: corrupt, tr: missing },
      fallback: espeakSpeech({ player: keeper(dir), logger }),
      logger,
    });
    await speech.ready();
    assert.deepEqual(speech.neuralLanguages(), []);
    const lines = logger.entries.filter((entry) => entry.event === 'speech.neural_unavailable');
    assert.deepEqual(lines.map((line) => line.fields.language).sort(), ['de', 'tr']);
    for (const line of lines) assert.equal(line.fields.instead, 'espeak-ng');
    assert.equal(await speech.say(utterance(TEXT, 'de', SETTINGS)).done, 'finished');
    assert.equal(
      await speech.say(utterance('Lütfen belgenizi alın.', 'tr', SETTINGS)).done,
      'finished',
    );
    const wavs = kept(dir);
    assert.equal(wavs.length, 2);
    for (const wav of wavs) assert.ok(measured(wav).amplitude > 0.1, 'not silent');
    assert.equal(
      logger.entries.filter((entry) => entry.level === 'warn').length,
      2,
      'no more lines',
    );
    await speech.close();
  });
});

describe('the site file names the voices', () => {
  const site = () => JSON.parse(readFileSync(DEMO_SITE, 'utf8')) as Record<string, unknown>;
  const load = (t: TestContext, speech: unknown) => {
    const file = join(tempDir(t, 'amtomat-site-'), 'site.json');
    writeFileSync(file, JSON.stringify({ ...site(), speech }));
    return loadSiteConfig(file);
  };

  test('absolute paths to a .onnx model and its tokens, by a language of the terminal', (t) => {
    const voice = {
      model: '/opt/voices/de_DE-thorsten-medium.onnx',
      tokens: '/opt/voices/tokens.txt',
    };
    const good = load(t, { voices: { de: { ...voice, dataDir: '/opt/voices/espeak-ng-data' } } });
    assert.ok(good.ok, good.ok ? '' : good.error);
    assert.deepEqual(Object.keys(good.value.speech.voices ?? {}), ['de']);
    const errors = [
      [
        { voices: { de: { ...voice, model: 'voices/de.onnx' } } },
        /speech\.voices\.de\.model: must be an absolute path/,
      ],
      [
        { voices: { de: { ...voice, model: '/opt/voices/de.bin' } } },
        /speech\.voices\.de\.model: must be the \.onnx model file/,
      ],
      [{ voices: { de: { model: voice.model } } }, /speech\.voices\.de\.tokens/],
      [{ voices: { fr: voice } }, /speech\.voices/],
      [{ voices: { de: { ...voice, lexicon: '/x' } } }, /lexicon/],
    ] as const;
    for (const [speech, message] of errors) {
      const refused = load(t, speech);
      assert.ok(!refused.ok, JSON.stringify(speech));
      assert.match(refused.error, message);
      assert.doesNotMatch(refused.error, /\n/, 'one line');
    }
  });

  test('a service whose voice files are missing starts, says so once and speaks with espeak-ng', async (t) => {
    const dir = tempDir(t, 'amtomat-neural-service-');
    const config = join(dir, 'site.json');
    const voices = { de: { model: join(dir, 'missing.onnx'), tokens: join(dir, 'tokens.txt') } };
    writeFileSync(config, JSON.stringify({ ...site(), speech: { voices, player: keeper(dir) } }));
    const logger = memoryLogger();
    const service = await startService({
      dataDir: join(dir, 'data'),
      port: 0,
      hardware: openDemoHardware,
      config,
      logger,
      uiDir: dir,
    });
    try {
      const started = logger.entries.find((entry) => entry.event === 'service.started');
      assert.equal(started?.fields.speech, 'neural+espeak-ng');
      service.hardware.headphones.set(true);
      await until('the start screen spoken', () => kept(dir).length > 0);
      await until('unavailable logged', () =>
        logger.entries.some((entry) => entry.event === 'speech.neural_unavailable'),
      );
      const unavailable = logger.entries.filter(
        (entry) => entry.event === 'speech.neural_unavailable',
      );
      assert.equal(unavailable.length, 1);
      assert.equal(
        unavailable[0]?.fields.reason,
        `missing: ${voices.de.model}, ${voices.de.tokens}`,
      );
      const [spoken] = kept(dir);
      assert.ok(spoken);
      await until('the audio written', () => statSync(spoken).size > 20_000, 15_000);
      assert.ok(measured(spoken).amplitude > 0.1, 'espeak-ng, not silent');
    } finally {
      await service.close();
    }
  });
});
