import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonLogger } from '@amtomat/basics';
import type { ShellServiceOptions } from './args.ts';
import {
  createFakeElectron,
  FakeWebContents,
  manualTimers,
  navigation,
  preventable,
} from './fake-electron.testing.ts';
import { CONTENT_SECURITY_POLICY } from './hardening.ts';
import { HANG_GRACE_MS } from './recovery.ts';
import { EXIT_SERVICE_FAILED, EXIT_USAGE, runShell, type StartService } from './shell.ts';

const SERVICE_URL = 'http://127.0.0.1:4100/';
const AUTH_URL = 'http://127.0.0.1:4100/auth?token=s3cret-token';

interface Setup {
  packaged?: boolean;
  hasLock?: boolean;
  argv?: string[];
  startService?: StartService;
}

async function startShell(setup: Setup = {}) {
  const electron = createFakeElectron();
  electron.app.isPackaged = setup.packaged ?? false;
  electron.app.hasLock = setup.hasLock ?? true;
  const timers = manualTimers();
  const logLines: string[] = [];
  const service = {
    url: SERVICE_URL,
    authUrl: AUTH_URL,
    closeCalls: 0,
    startedWith: [] as ShellServiceOptions[],
    close: async () => {
      service.closeCalls++;
    },
  };
  const outcome = await runShell({
    electron,
    startService:
      setup.startService ??
      (async (options) => {
        service.startedWith.push(options);
        return service;
      }),
    argv: setup.argv ?? ['/opt/kiosk/kiosk', '--data', '/var/lib/kiosk'],
    env: {},
    logger: jsonLogger('kiosk-shell', { write: (line) => logLines.push(line), minLevel: 'debug' }),
    timers,
  });
  const window = electron.windows[0];
  const logEvents = () => logLines.map((line) => (JSON.parse(line) as { event: string }).event);
  return { electron, timers, service, outcome, window, logLines, logEvents };
}

async function running(setup: Setup = {}) {
  const shell = await startShell(setup);
  assert.ok(shell.window, 'a window was created');
  return { ...shell, window: shell.window, contents: shell.window.webContents };
}

/** Lets promise callbacks (service.close().then…) run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('kiosk window', () => {
  it('is one locked-down fullscreen window on the auth URL, without menu or preload', async () => {
    const { electron, window, service } = await running();
    assert.equal(electron.windows.length, 1);
    assert.deepEqual(window.options, {
      kiosk: true,
      fullscreen: true,
      autoHideMenuBar: true,
      backgroundColor: '#ffffff',
      webPreferences: {
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInSubFrames: false,
        webviewTag: false,
        webSecurity: true,
        devTools: true,
        spellcheck: false,
      },
    });
    assert.deepEqual(electron.applicationMenus, [null]);
    assert.deepEqual(window.loadedUrls, [AUTH_URL]);
    assert.deepEqual(service.startedWith, [{ dataDir: '/var/lib/kiosk', port: 8080, demo: false }]);
  });

  it('has no devtools when packaged', async () => {
    const { window } = await running({ packaged: true });
    assert.equal(window.options.webPreferences?.devTools, false);
  });
});

describe('session', () => {
  it('sets the strict policy on responses from the service, replacing the served one', async () => {
    const { electron } = await running();
    const session = electron.session.defaultSession;
    assert.deepEqual(session.headersFilter, { urls: ['http://127.0.0.1:4100/*'] });
    let response: unknown;
    session.headersListener!(
      {
        url: 'http://127.0.0.1:4100/assets/app.js',
        responseHeaders: {
          'content-security-policy': ['default-src *'],
          'Content-Type': ['text/javascript'],
        },
      } as never,
      (answer) => {
        response = answer;
      },
    );
    assert.deepEqual(response, {
      responseHeaders: {
        'Content-Type': ['text/javascript'],
        'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
      },
    });
    for (const directive of ["default-src 'self'", "object-src 'none'", "frame-ancestors 'none'"]) {
      assert.ok(CONTENT_SECURITY_POLICY.includes(directive), directive);
    }
    assert.ok(!CONTENT_SECURITY_POLICY.includes('unsafe-'), 'nothing unsafe');
  });

  it('leaves responses from other origins untouched', async () => {
    const { electron } = await running();
    let response: unknown;
    electron.session.defaultSession.headersListener!(
      { url: 'http://127.0.0.1:9999/', responseHeaders: {} } as never,
      (answer) => {
        response = answer;
      },
    );
    assert.deepEqual(response, {});
  });

  it('denies every permission request and check', async () => {
    const { electron, logEvents } = await running();
    const session = electron.session.defaultSession;
    for (const permission of ['media', 'hid', 'serial', 'notifications', 'geolocation']) {
      let granted: boolean | undefined;
      session.permissionRequestHandler!({}, permission, (answer) => {
        granted = answer;
      });
      assert.equal(granted, false, permission);
    }
    assert.equal(session.permissionCheckHandler!(), false);
    assert.ok(logEvents().includes('permission-denied'));
  });
});

describe('navigation and windows', () => {
  it('blocks navigation and redirects to other origins, allows the service origin', async () => {
    const { contents } = await running();
    const foreign = navigation('https://example.org/');
    const otherPort = navigation('http://127.0.0.1:4101/');
    const redirect = navigation('https://example.org/landing');
    const garbage = navigation('not a url');
    const sameOrigin = navigation('http://127.0.0.1:4100/pickup');
    const sameOriginRedirect = navigation('http://127.0.0.1:4100/');
    contents.emit('will-navigate', foreign);
    contents.emit('will-navigate', otherPort);
    contents.emit('will-redirect', redirect);
    contents.emit('will-navigate', garbage);
    contents.emit('will-navigate', sameOrigin);
    contents.emit('will-redirect', sameOriginRedirect);
    assert.equal(foreign.prevented, true);
    assert.equal(otherPort.prevented, true);
    assert.equal(redirect.prevented, true);
    assert.equal(garbage.prevented, true);
    assert.equal(sameOrigin.prevented, false);
    assert.equal(sameOriginRedirect.prevented, false);
  });

  it('denies new windows and webviews, also for web contents created later', async () => {
    const { contents, electron } = await running();
    const later = new FakeWebContents();
    electron.app.emit('web-contents-created', preventable({}), later);
    for (const webContents of [contents, later]) {
      assert.deepEqual(webContents.windowOpenHandler!(), { action: 'deny' });
      const attach = preventable({});
      webContents.emit('will-attach-webview', attach, {}, {});
      assert.equal(attach.prevented, true);
      const away = navigation('https://example.org/');
      webContents.emit('will-navigate', away);
      assert.equal(away.prevented, true);
    }
  });
});

describe('renderer recovery', () => {
  it('reloads the service root after a crash and logs it as JSON', async () => {
    const { contents, timers, logLines } = await running();
    contents.emit('render-process-gone', preventable({}), { reason: 'crashed', exitCode: 139 });
    timers.advance(0);
    assert.deepEqual(contents.loadedUrls, [SERVICE_URL]);
    const gone = logLines
      .map((line) => JSON.parse(line))
      .find((entry) => entry.event === 'renderer-gone');
    assert.deepEqual(
      { ...gone, time: undefined },
      {
        time: undefined,
        level: 'error',
        component: 'kiosk-shell',
        event: 'renderer-gone',
        reason: 'crashed',
        exitCode: 139,
        crashesInSeries: 1,
        reloadInMs: 0,
      },
    );
  });

  it('backs off when the renderer keeps crashing', async () => {
    const { contents, timers } = await running();
    const crash = () =>
      contents.emit('render-process-gone', preventable({}), { reason: 'crashed', exitCode: 139 });
    crash();
    timers.advance(0);
    crash();
    timers.advance(999);
    assert.equal(contents.loadedUrls.length, 1, 'second reload waits 1 s');
    timers.advance(1);
    assert.equal(contents.loadedUrls.length, 2);
    crash();
    timers.advance(1999);
    assert.equal(contents.loadedUrls.length, 2, 'third reload waits 2 s');
    timers.advance(1);
    assert.equal(contents.loadedUrls.length, 3);
  });

  it('kills and reloads a renderer that stays unresponsive past the grace', async () => {
    const { contents, timers, logEvents } = await running();
    contents.emit('unresponsive');
    timers.advance(HANG_GRACE_MS - 1);
    assert.deepEqual(contents.loadedUrls, []);
    timers.advance(1);
    timers.advance(0);
    assert.deepEqual(contents.loadedUrls, [SERVICE_URL]);
    assert.ok(logEvents().includes('renderer-hung'));
  });

  it('does not reload a renderer that recovers within the grace', async () => {
    const { contents, timers, logEvents } = await running();
    contents.emit('unresponsive');
    timers.advance(HANG_GRACE_MS / 2);
    contents.emit('responsive');
    timers.advance(HANG_GRACE_MS * 2);
    assert.deepEqual(contents.loadedUrls, []);
    assert.equal(timers.pending(), 0);
    assert.ok(logEvents().includes('renderer-responsive'));
  });

  it('does not reload a destroyed window', async () => {
    const { contents, timers } = await running();
    contents.destroyed = true;
    contents.emit('render-process-gone', preventable({}), { reason: 'clean-exit', exitCode: 0 });
    timers.advance(60_000);
    assert.deepEqual(contents.loadedUrls, []);
  });
});

describe('lifecycle', () => {
  it('quits at once, without a service, when another shell holds the lock', async () => {
    const { electron, outcome, service } = await startShell({ hasLock: false });
    assert.deepEqual(outcome, { kind: 'not-primary' });
    assert.equal(electron.app.quitCalls, 1);
    assert.equal(electron.windows.length, 0);
    assert.deepEqual(service.startedWith, []);
  });

  it('focuses the existing window when a second shell starts', async () => {
    const { electron, window } = await running();
    window.minimized = true;
    electron.app.emit('second-instance', preventable({}), [], '/');
    assert.equal(window.restoreCalls, 1);
    assert.equal(window.focusCalls, 1);
  });

  it('closes the service before quitting', async () => {
    const { electron, service, logEvents } = await running();
    electron.app.quit();
    assert.equal(electron.app.quitCompleted, false, 'quit is held while the service closes');
    electron.app.quit(); // a second request while closing does not close twice
    await settle();
    assert.equal(service.closeCalls, 1);
    assert.equal(electron.app.quitCompleted, true);
    assert.ok(logEvents().includes('service-closed'));
  });

  it('closes the service and quits when the window is gone', async () => {
    const { electron, service } = await running();
    electron.app.emit('window-all-closed');
    await settle();
    assert.equal(service.closeCalls, 1);
    assert.equal(electron.app.quitCompleted, true);
  });

  it('still quits when closing the service fails', async () => {
    const { electron, service, logEvents } = await running();
    service.close = async () => {
      throw new Error('database busy');
    };
    electron.app.quit();
    await settle();
    assert.equal(electron.app.quitCompleted, true);
    assert.ok(logEvents().includes('service-close-failed'));
  });

  it('exits with a failure when the service does not start', async () => {
    const { electron, outcome, logEvents } = await startShell({
      startService: async () => {
        throw new Error('port in use');
      },
    });
    assert.deepEqual(outcome, { kind: 'failed', reason: 'service-start-failed' });
    assert.deepEqual(electron.app.exitCodes, [EXIT_SERVICE_FAILED]);
    assert.equal(electron.windows.length, 0);
    assert.ok(logEvents().includes('service-start-failed'));
  });

  it('exits with a usage error on bad arguments', async () => {
    const { electron, outcome } = await startShell({ argv: ['kiosk', '--port', 'eighty'] });
    assert.deepEqual(outcome, { kind: 'failed', reason: 'invalid-arguments' });
    assert.deepEqual(electron.app.exitCodes, [EXIT_USAGE]);
  });

  it('never logs the auth URL or its token', async () => {
    const { contents, timers, electron, logLines } = await running();
    contents.emit('render-process-gone', preventable({}), { reason: 'oom', exitCode: 0 });
    timers.advance(0);
    electron.app.quit();
    await settle();
    assert.ok(logLines.length > 0);
    for (const line of logLines) assert.ok(!line.includes('s3cret'), line);
  });
});
