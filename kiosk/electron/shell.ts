import type { Logger } from '@amtomat/basics';
import type { BrowserWindowConstructorOptions } from 'electron';
import { parseShellArgs, type ShellServiceOptions } from './args.ts';
import type { BrowserWindowLike, ElectronLike } from './electron-like.ts';
import { hardenSession, hardenWebContents } from './hardening.ts';
import { keepRendererAlive, type Timers } from './recovery.ts';

/** The part of the service the shell needs (kiosk/src/service/service.ts). */
export interface RunningService {
  url: string;
  /** Opened once: sets the auth cookie, then redirects to the service root. */
  authUrl: string;
  close(): Promise<void>;
}

export type StartService = (options: ShellServiceOptions) => Promise<RunningService>;

export interface ShellDependencies {
  electron: ElectronLike;
  startService: StartService;
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  logger: Logger;
  timers: Timers;
}

export type ShellOutcome =
  | { kind: 'running'; window: BrowserWindowLike; service: RunningService }
  | { kind: 'not-primary' }
  | { kind: 'failed'; reason: 'invalid-arguments' | 'service-start-failed' };

/** Exit codes for the supervisor (systemd restarts on failure). */
export const EXIT_SERVICE_FAILED = 1;
export const EXIT_USAGE = 2;

export function kioskWindowOptions(isPackaged: boolean): BrowserWindowConstructorOptions {
  return {
    kiosk: true,
    fullscreen: true,
    autoHideMenuBar: true,
    backgroundColor: '#ffffff',
    // No preload: the page talks HTTP to the service and nothing else.
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      devTools: !isPackaged,
      spellcheck: false,
    },
  };
}

/**
 * Starts the service in this process, then shows it in one locked-down fullscreen window.
 * Only one shell runs per machine; quitting closes the service first.
 */
export async function runShell(deps: ShellDependencies): Promise<ShellOutcome> {
  const { app, BrowserWindow, Menu, session } = deps.electron;
  const { logger } = deps;

  if (!app.requestSingleInstanceLock()) {
    logger.log('info', 'shell-already-running');
    app.quit();
    return { kind: 'not-primary' };
  }

  const parsed = parseShellArgs(deps.argv, deps.env, { dataDir: app.getPath('userData') });
  if (!parsed.ok) {
    logger.log('error', 'shell-invalid-arguments', { reason: parsed.error });
    app.exit(EXIT_USAGE);
    return { kind: 'failed', reason: 'invalid-arguments' };
  }

  let window: BrowserWindowLike | undefined;
  let service: RunningService | undefined;
  registerQuitHandling(app, () => service, logger);
  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });

  await app.whenReady();
  Menu.setApplicationMenu(null);

  try {
    service = await deps.startService(parsed.value);
  } catch (error) {
    logger.log('error', 'service-start-failed', { error: errorMessage(error) });
    app.exit(EXIT_SERVICE_FAILED);
    return { kind: 'failed', reason: 'service-start-failed' };
  }

  const serviceOrigin = new URL(service.url).origin;
  hardenSession(session.defaultSession, serviceOrigin, logger);
  // Registered before the first window, so every webContents (the window's included) is hardened.
  app.on('web-contents-created', (_event, contents) =>
    hardenWebContents(contents, serviceOrigin, logger),
  );

  window = new BrowserWindow(kioskWindowOptions(app.isPackaged));
  keepRendererAlive(window.webContents, {
    reloadUrl: service.url,
    timers: deps.timers,
    logger,
  });
  window.loadURL(service.authUrl).catch(() => {
    // Without the URL or the error text: the auth URL holds the one-time secret.
    logger.log('error', 'kiosk-page-load-failed');
  });
  logger.log('info', 'shell-started', { packaged: app.isPackaged, demo: parsed.value.demo });
  return { kind: 'running', window, service };
}

/**
 * The service owns SQLite and the lock boards, so it must close before the process ends:
 * the first quit is held until `close()` settles, then quit runs again.
 */
function registerQuitHandling(
  app: ElectronLike['app'],
  currentService: () => RunningService | undefined,
  logger: Logger,
): void {
  let closing: 'open' | 'closing' | 'closed' = 'open';
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => {
    const service = currentService();
    if (!service || closing === 'closed') return;
    event.preventDefault();
    if (closing === 'closing') return;
    closing = 'closing';
    service
      .close()
      .then(
        () => logger.log('info', 'service-closed'),
        (error: unknown) =>
          logger.log('error', 'service-close-failed', { error: errorMessage(error) }),
      )
      .finally(() => {
        closing = 'closed';
        app.quit();
      });
  });
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
