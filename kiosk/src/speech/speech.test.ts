import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { memoryLogger } from '@amtomat/basics';
import { openDemoHardware } from '../service/demo.ts';
import { DEMO_SITE, startService } from '../service/service.ts';
import { until } from '../testing/wait.ts';
import { espeakSpeech, openSpeech, utterance } from './speech.ts';

const LONG =
  'Bitte geben Sie Ihren Abholcode ein. Sie finden den Code in Ihrer SMS, E-Mail oder im ' +
  'Brief. Zur Auswahl: Bestätigen, Zurück oder Abbrechen.';

test('through the system player: a new utterance interrupts the one being said', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'amtomat-speech-'));
  try {
    const played = join(dir, 'played.wav');
    // The "player" keeps what it is given, so the test can measure it with sox.
    const speech = espeakSpeech({
      player: ['sh', '-c', 'cat > "$1"', 'player', played],
      logger: memoryLogger(),
    });
    const first = speech.say(utterance(`${LONG} ${LONG} ${LONG}`, 'de', { volume: 0, rate: 0 }));
    assert.equal(typeof (await first.started), 'number', 'audio came out');
    const second = speech.say(utterance('Vielen Dank.', 'de', { volume: 0, rate: 0 }));
    assert.equal(await first.done, 'interrupted');
    assert.equal(await second.done, 'finished');
    const stat = execFileSync('sh', ['-c', 'sox "$1" -n stat 2>&1', 'sox', played], {
      encoding: 'utf8',
    });
    const seconds = Number(/Length \(seconds\):\s*([\d.]+)/.exec(stat)?.[1]);
    assert.ok(seconds > 0.3 && seconds < 3, `"Vielen Dank." played for ${seconds} s`);
    assert.ok(Number(/Maximum amplitude:\s*([\d.]+)/.exec(stat)?.[1]) > 0.1, 'not silent');
    await speech.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('espeak-ng missing: one line says what to install, and the kiosk works on in silence', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'amtomat-speech-'));
  try {
    const missing = join(dir, 'espeak-ng');
    const logger = memoryLogger();
    assert.equal(openSpeech({ binary: missing, logger }).name, 'silent');
    const lines = logger.entries.filter((entry) => entry.event === 'speech.unavailable');
    assert.equal(lines.length, 1);
    assert.match(String(lines[0]?.fields.reason), /install the Debian package espeak-ng/);

    const site = JSON.parse(readFileSync(DEMO_SITE, 'utf8')) as Record<string, unknown>;
    const config = join(dir, 'site.json');
    writeFileSync(config, JSON.stringify({ ...site, speech: { espeak: missing } }));
    const serviceLog = memoryLogger();
    const service = await startService({
      dataDir: join(dir, 'data'),
      port: 0,
      hardware: openDemoHardware,
      config,
      logger: serviceLog,
      uiDir: dir,
    });
    try {
      const core = service.terminal.core;
      service.hardware.headphones.set(true); // speech on, with headphones
      await until('speech on', () => core.view().session.accessibility.speech);
      assert.ok(core.send({ type: 'CHOOSE', service: 'document-pickup' }).ok);
      await until('pickup.code', () => core.view().screen === 'pickup.code');
      const unavailable = serviceLog.entries.filter(
        (entry) => entry.event === 'speech.unavailable',
      );
      assert.equal(unavailable.length, 1, 'said once, not per utterance');
      const started = serviceLog.entries.find((entry) => entry.event === 'service.started');
      assert.equal(started?.fields.speech, 'silent');
    } finally {
      await service.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
