/**
 * `npm run commission -- [options]`: the commissioning wizard in the installer's terminal
 * (installers/README.md walks through it). Every failure a person can fix is one line
 * `error: …` and an exit code: 1 a step failed, 2 usage, 3 adapter missing or gone,
 * 4 no board answers, 130 interrupted (Ctrl-C). The progress is kept in every case.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cupsPrintSystem } from '@amtomat/locker-controller/printer';
import { PROTOCOL_IDS, type ProtocolId } from '@amtomat/locker-controller/protocols';
import { type DeviceSource, hidDevices, simulatedDevices } from './devices.ts';
import { SERIAL_BY_ID } from './hardware.ts';
import { chooseLanguage, isLanguage, t, useLanguage } from './i18n.ts';
import { progressPath } from './progress.ts';
import { runWizard, Stop, type WizardOptions } from './wizard.ts';

const usage = () => t('cli.usage', { protocols: PROTOCOL_IDS.join('|') });

const VERSION = (
  JSON.parse(readFileSync(join(import.meta.dirname, '../../../kiosk/package.json'), 'utf8')) as {
    version: string;
  }
).version;

async function options(argv: string[]): Promise<WizardOptions> {
  const { values } = parseArgs({
    args: argv,
    options: {
      site: { type: 'string', default: '/etc/amtomat/site.json' },
      data: { type: 'string', default: process.env.KIOSK_DATA ?? '/var/lib/amtomat' },
      port: { type: 'string', multiple: true, default: [] },
      'serial-dir': { type: 'string', default: SERIAL_BY_ID },
      protocol: { type: 'string' },
      baud: { type: 'string' },
      board: { type: 'string' },
      bus: { type: 'string' },
      report: { type: 'string' },
      'simulated-devices': { type: 'string' },
      'print-wait': { type: 'string' },
      lang: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) throw new Stop(usage(), 0);
  if (values.protocol && !PROTOCOL_IDS.includes(values.protocol as ProtocolId)) {
    throw new Stop(t('cli.protocol', { protocols: PROTOCOL_IDS.join(', ') }), 2);
  }
  const whole = (name: string, text: string | undefined, max: number) => {
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text) || Number(text) > max) {
      throw new Stop(t('cli.wholeNumber', { flag: name, max }), 2);
    }
    return Number(text);
  };
  const board = whole('--board', values.board, 255);
  const printWait = whole('--print-wait', values['print-wait'], 600) ?? 20;
  let devices: DeviceSource = hidDevices();
  if (values['simulated-devices']) {
    const simulated = await simulatedDevices(values['simulated-devices']);
    if (!simulated.ok) throw new Stop(simulated.error, 2);
    devices = simulated.value;
    // An interruption exits at once; the socket must not outlive the wizard.
    const socket = resolve(values['simulated-devices']);
    process.once('exit', () => rmSync(socket, { force: true }));
  }
  return {
    siteFile: resolve(values.site),
    dataDir: resolve(values.data),
    serialDir: values['serial-dir'],
    ports: values.port,
    protocol: values.protocol as ProtocolId | undefined,
    baud: whole('--baud', values.baud, 4_000_000),
    board: board === undefined ? undefined : { bus: values.bus, board },
    report: values.report && resolve(values.report),
    devices,
    printer: cupsPrintSystem(),
    printWaitMs: printWait * 1000,
    version: VERSION,
    now: () => new Date(),
  };
}

/** What the installer reads on Ctrl-C: where the work is kept and that nothing is half done. */
function interrupted(siteFile: string | undefined): never {
  const line = siteFile
    ? t('cli.interruptedIn', { record: progressPath(siteFile) })
    : t('cli.interrupted');
  process.stdout.write(`\n${line}\n`);
  process.exit(130);
}

/** `--lang` before the options are parsed, so that even a usage error is in that language. */
function langFlag(argv: string[]): string | undefined {
  const at = argv.findIndex((arg) => arg === '--lang' || arg.startsWith('--lang='));
  if (at < 0) return undefined;
  return argv[at]!.includes('=') ? argv[at]!.slice('--lang='.length) : argv[at + 1];
}

async function main(argv: string[]): Promise<number> {
  const lang = langFlag(argv);
  if (lang !== undefined && !isLanguage(lang)) {
    process.stderr.write(`${t('cli.error', { message: t('cli.lang') })}\n`);
    return 2;
  }
  useLanguage(chooseLanguage(lang, process.env));
  let siteFile: string | undefined;
  process.once('SIGINT', () => interrupted(siteFile));
  let opts: WizardOptions | undefined;
  try {
    opts = await options(argv);
    siteFile = opts.siteFile;
    await runWizard(opts);
    return 0;
  } catch (error) {
    if ((error as Error).name === 'ExitPromptError') interrupted(siteFile);
    if (error instanceof Stop) {
      if (error.exitCode === 0) process.stdout.write(`${error.message}\n`);
      else process.stderr.write(`${t('cli.error', { message: error.message })}\n`);
      return error.exitCode;
    }
    if ((error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      // Node names the option in quotes (\x27); the rest of its message is English.
      const option = /\x27([^\x27]+)\x27/.exec((error as Error).message)?.[1] ?? '';
      const message = t('cli.unknownOption', { option });
      process.stderr.write(`${t('cli.error', { message })}\n${usage()}\n`);
      return 2;
    }
    throw error;
  } finally {
    await opts?.devices.close();
  }
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${t('cli.internal', { message: (error as Error).message })}\n`);
      process.exit(70);
    },
  );
}
