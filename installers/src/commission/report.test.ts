/**
 * The acceptance report in German, as a German district's town hall files it: made from a
 * commissioning record by the real PDF writer and read back with pdftotext. (The wizard's
 * terminal tests read the English one.)
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../../kiosk/src/store/test-support.ts';
import { pdfText } from '../../../kiosk/src/testing/pdf-text.ts';
import { useLanguage } from './i18n.ts';
import type { Progress } from './progress.ts';
import { writeReport } from './report.ts';

const RECORD: Progress = {
  version: 1,
  startedAt: '2026-05-04T08:00:00.000Z',
  finishedAt: '2026-05-04T10:30:00.000Z',
  installer: 'Anna Berger',
  site: { id: 'mayen-rathaus', name: 'Rathaus Mayen' },
  locks: [
    {
      bus: 'bus1',
      board: 0,
      lock: 1,
      outcome: 'door',
      label: 'B2',
      size: 'XL',
      column: 2,
      row: 2,
      heightCm: 40,
      accessible: true,
      purpose: 'pickup',
      closed: true,
      sensor: 'seen',
    },
    {
      bus: 'bus1',
      board: 1,
      lock: 1,
      outcome: 'door',
      label: 'B1',
      size: 'S',
      column: 2,
      row: 1,
      heightCm: 120,
      accessible: false,
      purpose: 'drop-off',
      closed: true,
      sensor: 'not-seen',
    },
    { bus: 'bus1', board: 0, lock: 2, outcome: 'not-opened', failure: 'jammed' },
    { bus: 'bus1', board: 1, lock: 3, outcome: 'no-door' },
  ],
  devices: {
    cardReader: { fitted: true, device: '08ff:0035', ok: true, detail: 'Karte gelesen' },
    scanner: { fitted: false, ok: true, detail: 'nicht eingebaut' },
    printer: {
      fitted: true,
      device: 'beleg',
      ok: false,
      detail: 'Der Drucker hat die Testseite nicht angenommen',
    },
  },
  fleet: { reachable: false, detail: 'arbeitet allein' },
};

test('the acceptance report in German', async (t) => {
  useLanguage('de');
  t.after(() => useLanguage('en'));
  const pdf = join(tempDir(t, 'report-'), 'acceptance.pdf');
  await writeReport(pdf, RECORD, { version: '0.1.0', siteFile: '/etc/amtomat/site.json' });
  const report = pdfText(pdf);
  assert.match(report, /Abnahmeprotokoll: Inbetriebnahme eines Terminals/);
  assert.match(report, /Standort: Rathaus Mayen \(mayen-rathaus\)/);
  assert.match(report, /Terminal \(Flotten-Kennung\): nicht bei einer Flotte angemeldet/);
  assert.match(report, /Softwareversion: 0\.1\.0/);
  assert.match(report, /Datum der Inbetriebnahme: 2026-05-04/);
  assert.match(report, /Installateur\/in: Anna Berger/);
  assert.match(report, /Fach\s+Anschluss\s+Größe\s+Spalte\/Reihe/);
  assert.match(report, /B2\s+0\/1\s+XL\s+2\/2\s+40 cm\*\s+Abholung\s+ja\s+ja\s+erkennt/);
  assert.match(report, /B1\s+1\/1\s+S\s+2\/1\s+120 cm\s+Einwurf\s+ja\s+ja\s+erkennt nicht/);
  assert.match(report, /0\/2\s+öffnete nicht: Riegel klemmt oder Tür blockiert/);
  assert.match(report, /1\/3\s+keine Tür angeschlossen/);
  assert.match(report, /2 von 3 Fächern bestanden den Türtest/);
  assert.match(report, /Kartenleser: 08ff:0035: geprüft, liest/);
  assert.match(report, /Scanner: nicht eingebaut/);
  assert.match(
    report,
    /Belegdrucker: beleg: Test fehlgeschlagen: Der Drucker hat die Testseite nicht angenommen/,
  );
  assert.match(report, /arbeitet allein \(kein Flotten-Server\)/);
  assert.match(report, /Ort, Datum, Unterschrift \(Installateur\/in\)/);
  assert.match(report, /Ort, Datum, Unterschrift \(für die Verwaltung\)/);
});
