/**
 * A hand-written Electron for the shell's tests: records calls and lets a test emit the
 * events Electron would. It mimics the real ordering that matters: a new BrowserWindow emits
 * `web-contents-created` on the app, `app.quit()` emits a preventable `before-quit`, and
 * `forcefullyCrashRenderer()` emits `render-process-gone`.
 */
import { EventEmitter } from 'node:events';
import type {
  BrowserWindowConstructorOptions,
  HeadersReceivedResponse,
  OnHeadersReceivedListenerDetails,
  WebRequestFilter,
} from 'electron';
import type { ElectronLike, NavigationEvent, PreventableEvent } from './electron-like.ts';
import type { Timers } from './recovery.ts';

export function preventable<T extends object>(
  fields: T,
): T & PreventableEvent & { prevented: boolean } {
  const event = {
    ...fields,
    prevented: false,
    preventDefault() {
      event.prevented = true;
    },
  };
  return event;
}

export function navigation(url: string): NavigationEvent & { prevented: boolean } {
  return preventable({ url });
}

export class FakeWebContents extends EventEmitter {
  windowOpenHandler: (() => { action: 'deny' }) | undefined;
  loadedUrls: string[] = [];
  destroyed = false;

  setWindowOpenHandler(handler: () => { action: 'deny' }): void {
    this.windowOpenHandler = handler;
  }
  loadURL(url: string): Promise<void> {
    this.loadedUrls.push(url);
    return Promise.resolve();
  }
  forcefullyCrashRenderer(): void {
    this.emit('render-process-gone', preventable({}), { reason: 'killed', exitCode: 9 });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

export class FakeApp extends EventEmitter {
  isPackaged = false;
  hasLock = true;
  quitCalls = 0;
  exitCodes: (number | undefined)[] = [];
  /** True once a quit went through without being held by a `before-quit` listener. */
  quitCompleted = false;

  requestSingleInstanceLock(): boolean {
    return this.hasLock;
  }
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
  getPath(_name: 'userData'): string {
    return '/var/lib/fake-user-data';
  }
  quit(): void {
    this.quitCalls++;
    const event = preventable({});
    this.emit('before-quit', event);
    if (!event.prevented) this.quitCompleted = true;
  }
  exit(exitCode?: number): void {
    this.exitCodes.push(exitCode);
  }
}

type HeadersListener = (
  details: OnHeadersReceivedListenerDetails,
  callback: (response: HeadersReceivedResponse) => void,
) => void;

export class FakeSession {
  permissionRequestHandler:
    | ((webContents: unknown, permission: string, callback: (granted: boolean) => void) => void)
    | undefined;
  permissionCheckHandler: (() => boolean) | undefined;
  headersFilter: WebRequestFilter | undefined;
  headersListener: HeadersListener | undefined;

  setPermissionRequestHandler(handler: FakeSession['permissionRequestHandler']): void {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: () => boolean): void {
    this.permissionCheckHandler = handler;
  }
  readonly webRequest = {
    onHeadersReceived: (filter: WebRequestFilter, listener: HeadersListener) => {
      this.headersFilter = filter;
      this.headersListener = listener;
    },
  };
}

export interface FakeElectron extends ElectronLike {
  app: FakeApp;
  session: { defaultSession: FakeSession };
  windows: FakeBrowserWindow[];
  applicationMenus: null[];
}

export interface FakeBrowserWindow {
  options: BrowserWindowConstructorOptions;
  webContents: FakeWebContents;
  loadedUrls: string[];
  focusCalls: number;
  minimized: boolean;
  restoreCalls: number;
  loadURL(url: string): Promise<void>;
  isMinimized(): boolean;
  restore(): void;
  focus(): void;
}

export function createFakeElectron(): FakeElectron {
  const app = new FakeApp();
  const windows: FakeBrowserWindow[] = [];
  const applicationMenus: null[] = [];

  class BrowserWindow implements FakeBrowserWindow {
    webContents = new FakeWebContents();
    loadedUrls: string[] = [];
    focusCalls = 0;
    minimized = false;
    restoreCalls = 0;
    options: BrowserWindowConstructorOptions;
    constructor(options: BrowserWindowConstructorOptions) {
      this.options = options;
      windows.push(this);
      app.emit('web-contents-created', preventable({}), this.webContents);
    }
    loadURL(url: string): Promise<void> {
      this.loadedUrls.push(url);
      return Promise.resolve();
    }
    isMinimized(): boolean {
      return this.minimized;
    }
    restore(): void {
      this.restoreCalls++;
      this.minimized = false;
    }
    focus(): void {
      this.focusCalls++;
    }
  }

  return {
    app,
    BrowserWindow,
    Menu: { setApplicationMenu: (menu: null) => applicationMenus.push(menu) },
    session: { defaultSession: new FakeSession() },
    windows,
    applicationMenus,
  };
}

/** Timers that only move when the test says so. */
export function manualTimers(): Timers & { advance(ms: number): void; pending(): number } {
  let now = 1_000_000;
  let nextId = 1;
  const scheduled = new Map<number, { at: number; callback: () => void }>();
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const id = nextId++;
      scheduled.set(id, { at: now + ms, callback });
      return id;
    },
    clearTimeout(handle) {
      scheduled.delete(handle as number);
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...scheduled.entries()]
          .filter(([, timer]) => timer.at <= until)
          .sort(([, a], [, b]) => a.at - b.at)[0];
        if (!due) break;
        scheduled.delete(due[0]);
        now = due[1].at;
        due[1].callback();
      }
      now = until;
    },
    pending: () => scheduled.size,
  };
}
