import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Clock, type Logger, systemClock } from '@amtomat/basics';
import type { Health } from '../contract/index.ts';
import type { SessionTimers } from '../flows/session.machine.ts';
import { startNarrator } from '../speech/narrator.ts';
import { neuralSpeech } from '../speech/neural.ts';
import { openSpeech, type Speech } from '../speech/speech.ts';
import { loadSiteConfig, type SiteConfig } from './config.ts';
import type { KioskHardware, OpenHardware } from './hardware.ts';
import { startHttpServer } from './http-server.ts';
import { rotatingLogger } from './rotating-log.ts';
import { type KioskSync, type SyncStatus, startKioskSync } from './sync.ts';
import { openTerminal, type Terminal } from './terminal.ts';

const KIOSK_ROOT = join(import.meta.dirname, '..', '..');
export const UI_DIR = join(KIOSK_ROOT, 'ui', 'dist');
export const DEMO_SITE = join(KIOSK_ROOT, '..', 'installers', 'sites', 'demo.json');
const VERSION = (
  JSON.parse(readFileSync(join(KIOSK_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

export interface ServiceOptions<H extends KioskHardware = KioskHardware> {
  dataDir: string;
  /** 0: any free port. */
  port: number;
  /** Site configuration file; default: the demo site. */
  config?: string;
  /**
   * The lock boards and input devices, from the composition root: `siteHardware`
   * (hardware.ts) in production, `openDemoHardware` (demo.ts) for the demo and the tests.
   */
  hardware: OpenHardware<H>;
  clock?: Clock;
  logger?: Logger;
  uiDir?: string;
  /** Over the site's timers (tests: a short inactivity). */
  timers?: Partial<SessionTimers>;
  /** The voice; default: espeak-ng as the site file's `speech` says (tests: a capture). */
  speech?: Speech;
}

export interface RunningService<H extends KioskHardware = KioskHardware> {
  url: string;
  /** Opened once by the kiosk window to get its cookie; holds the per-start secret. */
  authUrl: string;
  /** A further one-time URL for the kiosk window (a window that was started again). */
  windowAuthUrl(): string;
  /** Only with the hardware's control pages (the demo): a second one-time URL for them. */
  demoControlUrl?: string;
  terminal: Terminal;
  hardware: H;
  /** Only when the site configures `sync`. */
  sync?: { syncNow(): Promise<SyncStatus>; state(): SyncStatus };
  close(): Promise<void>;
}

/** The composition root: configuration, store, locker, devices, core, RPC server. */
export async function startService<H extends KioskHardware>(
  options: ServiceOptions<H>,
): Promise<RunningService<H>> {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const logger = options.logger ?? rotatingLogger(join(options.dataDir, 'logs'));
  const clock = options.clock ?? systemClock;
  const site = loadSiteConfig(options.config ?? DEMO_SITE);
  if (!site.ok) throw new ServiceStartError(site.error);
  site.value.timers = { ...site.value.timers, ...options.timers };
  const hardware = await options.hardware(site.value, logger);
  let sync: KioskSync | undefined;
  const terminal = await openTerminal({
    dataDir: options.dataDir,
    site: site.value,
    locker: hardware.locker,
    devices: hardware.devices,
    clock,
    logger,
    syncStatus: () => sync?.state() ?? null,
    // Only while the last sync reached the fleet: offline, a service needing it says so.
    smsCodes: () => (sync?.state().online ? sync.smsCodes() : null),
  }).catch(async (error: unknown) => {
    await hardware.close();
    throw error;
  });
  hardware.seed?.(terminal.store);
  const speech = options.speech ?? siteSpeech(site.value.speech, logger);
  const narrator = startNarrator({
    core: terminal.core,
    speech,
    headphones: hardware.headphones,
    logger,
  });
  // Enrols in the background and syncs on its own timer: never blocks the start or a flow.
  sync = site.value.sync
    ? startKioskSync({
        config: site.value.sync,
        dataDir: options.dataDir,
        store: terminal.store,
        codeKey: terminal.codeKey,
        remoteOpen: async (compartment, actor) => {
          const opened = await terminal.core.remoteOpen(compartment, actor);
          if (!opened.ok) {
            terminal.store.audit({
              actor,
              action: 'remote-open-refused',
              subject: compartment,
              details: { reason: opened.error },
            });
            logger.log('warn', 'service.remote_open_refused', {
              compartment,
              reason: opened.error,
            });
          }
        },
        doorAlerts: () => terminal.core.view().session.doorAlerts,
        boardsOffline: () =>
          terminal.locker
            .boards()
            .filter((board) => board.online === false)
            .map((board) => `${board.bus}:${board.board}`),
        version: VERSION,
        clock,
        logger,
        label: site.value.site.name,
      })
    : undefined;
  const http = await startHttpServer({
    core: terminal.core,
    health: () => health(terminal, sync),
    logger,
    uiDir: options.uiDir ?? UI_DIR,
    port: options.port,
    ...(hardware.controlRoutes && { extraRoutes: hardware.controlRoutes }),
  }).catch(async (error: unknown) => {
    // A busy port must not leave the store open or the simulator's socat running.
    await sync?.close();
    narrator.close();
    await terminal.close();
    await hardware.close();
    throw listenProblem(error, options.port);
  });
  logger.log('info', 'service.started', {
    site: site.value.site.id,
    hardware: hardware.name,
    speech: speech.name,
  });
  return {
    url: http.url,
    authUrl: http.authUrl,
    windowAuthUrl: () => http.issueAuthUrl('/'),
    ...(hardware.controlRoutes && { demoControlUrl: http.issueAuthUrl('/demo') }),
    terminal,
    hardware,
    ...(sync && { sync: { syncNow: () => sync.syncNow(), state: () => sync.state() } }),
    async close() {
      await sync?.close();
      await http.close();
      narrator.close();
      await speech.close();
      await terminal.close();
      await hardware.close();
    },
  };
}

/** espeak-ng as the site says, with its neural voices (if any) in front. */
function siteSpeech(config: SiteConfig['speech'], logger: Logger): Speech {
  const espeak = openSpeech({
    logger,
    ...(config.player && { player: config.player }),
    ...(config.espeak && { binary: config.espeak }),
  });
  if (!config.voices || Object.keys(config.voices).length === 0) return espeak;
  return neuralSpeech({ voices: config.voices, fallback: espeak, player: config.player, logger });
}

/**
 * A start that cannot succeed: a message for a person, no stack trace. `exitCode` 2: the
 * site file (or another setting) must change; 1: something on this machine is in the way.
 */
export class ServiceStartError extends Error {
  readonly exitCode: 1 | 2;
  constructor(message: string, exitCode: 1 | 2 = 2) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** The listen error a person can fix, as a ServiceStartError; anything else unchanged. */
function listenProblem(error: unknown, port: number): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  const change = 'stop the other program, or choose another port with --port N or KIOSK_PORT';
  if (code === 'EADDRINUSE') return new ServiceStartError(`port ${port} is in use: ${change}`, 1);
  if (code === 'EACCES') {
    return new ServiceStartError(`port ${port} needs privileges: choose one above 1023`, 1);
  }
  return error;
}

function health(terminal: Terminal, sync: KioskSync | undefined): Health {
  const core = terminal.core.health();
  const syncState = sync?.state();
  const boards = terminal.locker.boards();
  return {
    version: VERSION,
    store: { ok: core.storeOk, auditOk: core.auditOk },
    boards: {
      online: boards.filter((board) => board.online === true).length,
      total: boards.length,
    },
    outboxLength: core.outboxLength,
    lastSync: syncState?.lastSync ?? null,
    sync: syncState
      ? {
          online: syncState.online,
          lastError: syncState.lastError,
          problem: syncState.problem,
          queueLength: syncState.queueLength,
        }
      : null,
    screen: core.session,
  };
}
