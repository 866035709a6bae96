import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_PREFIX, methodNames } from '../../../preload/contract';
import { type App, type AppDeps, createApp } from '../../../main/app';
import { contentSecurityPolicy } from '../../../main/csp';
import { APP_USER_MODEL_ID, type StartOptions, startElectronApp } from '../../../main/electron/start';
import { webPreferencesFor } from '../../../main/electron/security';
import type { Logger } from '../../../main/log';
import { type FakeElectron, asElectron, createFakeElectron, fakeFrame } from './fake-electron';

const RENDERER_DIR = path.resolve('/opt/omo/out/renderer');
const APP_PAGE = pathToFileURL(path.join(RENDERER_DIR, 'index.html')).href;

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

interface Started {
  fake: FakeElectron;
  handle: ReturnType<typeof startElectronApp>;
  coreClose: ReturnType<typeof vi.fn>;
  loggerClose: ReturnType<typeof vi.fn>;
  appDeps: AppDeps[];
  userData: string;
}

function start(
  setup: { packaged?: boolean; lock?: boolean } = {},
  options: Partial<StartOptions> = {},
): Started {
  const userData = mkdtempSync(path.join(os.tmpdir(), 'omo-shell-'));
  const fake = createFakeElectron({ userData, ...setup });
  const coreClose = vi.fn();
  const loggerClose = vi.fn();
  const appDeps: AppDeps[] = [];
  const logger: Logger & { close(): void } = {
    debug: vi.fn(),
    info: vi.fn(),
    warn: vi.fn(),
    error: vi.fn(),
    close: loggerClose,
  };
  const handle = startElectronApp(asElectron(fake), {
    preloadPath: '/opt/omo/out/preload/index.cjs',
    rendererDir: RENDERER_DIR,
    platform: 'linux',
    createLogger: () => logger,
    createApp: (deps): App => {
      appDeps.push(deps);
      const core = createApp(deps);
      return {
        ...core,
        close: () => {
          coreClose();
          return core.close();
        },
      };
    },
    ...options,
  });
  cleanups.push(() => {
    fake.app.quit();
    rmSync(userData, { recursive: true, force: true });
  });
  return { fake, handle, coreClose, loggerClose, appDeps, userData };
}

async function started(setup?: { packaged?: boolean; lock?: boolean }, options?: Partial<StartOptions>) {
  const run = start(setup, options);
  run.fake.fireReady();
  await run.handle.ready;
  return run;
}

function onlyWindow(fake: FakeElectron) {
  const windows = fake.BrowserWindow.getAllWindows();
  expect(windows).toHaveLength(1);
  return windows[0] as (typeof windows)[number];
}

describe('single instance', () => {
  it('quits at once when another instance holds the lock, before doing anything else', async () => {
    const { fake, handle } = start({ lock: false });
    expect(handle.primary).toBe(false);
    expect(fake.app.quit).toHaveBeenCalledOnce();
    expect(fake.app.whenReady).not.toHaveBeenCalled();
    expect(fake.app.listenerCount('second-instance')).toBe(0);
    fake.fireReady();
    await handle.ready;
    expect(fake.BrowserWindow.created).toHaveLength(0);
    expect(fake.ipcMain.handlers.size).toBe(0);
  });

  it('restores and focuses the window when a second instance starts', async () => {
    const { fake } = await started();
    const window = onlyWindow(fake);
    window.minimized = true;
    fake.app.emit('second-instance', {}, ['omo'], '/');
    expect(window.restore).toHaveBeenCalledOnce();
    expect(window.focus).toHaveBeenCalledOnce();
    expect(window.show).toHaveBeenCalled();
  });
});

describe('startup', () => {
  it('sets the app user model id and the global sandbox before ready', () => {
    const { fake } = start();
    expect(fake.app.setAppUserModelId).toHaveBeenCalledWith(APP_USER_MODEL_ID);
    expect(APP_USER_MODEL_ID).toBe('tw.omo.broadcast');
    expect(fake.app.enableSandbox).toHaveBeenCalledOnce();
    expect(fake.app.listenerCount('web-contents-created')).toBe(1);
  });

  it('gives createApp the user-data folder, the version, the electron transport and the injected services', async () => {
    const { appDeps, userData } = await started();
    expect(appDeps).toHaveLength(1);
    expect(appDeps[0]).toMatchObject({ dataDir: userData, version: '0.1.0-test', transport: 'electron', platform: 'linux' });
    expect(appDeps[0]?.vault.encrypted).toBe(true);
    expect(appDeps[0]?.network.isOnline()).toBe(true);
  });

  it('opens one hardened window on the built renderer when packaged', async () => {
    const { fake } = await started({ packaged: true }, { devServerUrl: 'https://evil.example/' });
    const window = onlyWindow(fake);
    expect(window.options.webPreferences).toEqual(webPreferencesFor('/opt/omo/out/preload/index.cjs', { devTools: false }));
    // A packaged app ignores ELECTRON_RENDERER_URL, so an environment variable cannot load a website.
    expect(window.loadURL).not.toHaveBeenCalled();
    expect(window.loadFile).toHaveBeenCalledWith(path.join(RENDERER_DIR, 'index.html'));
    // The window was hardened through app 'web-contents-created'.
    expect(window.webContents.navigate('will-navigate', 'https://evil.example/')).toBe(true);
    expect(window.webContents.windowOpenHandler?.({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(fake.shell.openExternal).not.toHaveBeenCalled();
    window.webContents.windowOpenHandler?.({ url: 'https://shop.example/' });
    expect(fake.shell.openExternal).toHaveBeenCalledExactlyOnceWith('https://shop.example/');
  });

  it('hardens the default session: remote requests cancelled, CSP header, permissions denied', async () => {
    const { fake } = await started({ packaged: true });
    const session = fake.session.defaultSession;
    expect(session.isRequestAllowed('https://evil.example/')).toBe(false);
    expect(session.isRequestAllowed('ws://127.0.0.1:9999/')).toBe(false);
    expect(session.isRequestAllowed(APP_PAGE)).toBe(true);
    expect(session.headersFor(APP_PAGE)?.['Content-Security-Policy']).toEqual([contentSecurityPolicy()]);
    const granted = vi.fn();
    session.permissionRequestHandler?.({}, 'media', granted);
    expect(granted).toHaveBeenCalledWith(false);
  });

  it('in development loads the dev server with DevTools on', async () => {
    const { fake } = await started({ packaged: false }, { devServerUrl: 'http://localhost:5173' });
    const window = onlyWindow(fake);
    expect(window.loadURL).toHaveBeenCalledWith('http://localhost:5173');
    expect((window.options.webPreferences as { devTools: boolean }).devTools).toBe(true);
  });

  it('answers contract calls over IPC from the window, and only from it', async () => {
    const { fake, userData } = await started();
    const window = onlyWindow(fake);
    expect([...fake.ipcMain.handlers.keys()].sort()).toEqual(methodNames.map((name) => IPC_INVOKE_PREFIX + name).sort());
    const frame = fakeFrame(window.webContents.getURL());
    await expect(fake.ipcMain.invoke('omo:app.info', frame, {})).resolves.toMatchObject({
      ok: true,
      value: { name: 'OMO Broadcast', transport: 'electron', dataDir: userData, version: '0.1.0-test' },
    });
    await expect(fake.ipcMain.invoke('omo:app.info', fakeFrame('https://evil.example/'), {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'forbidden_sender' },
    });
  });

  it('forwards push events to the app windows as (name, payload) on omo:event', async () => {
    const { fake } = await started();
    const window = onlyWindow(fake);
    const saved = (await fake.ipcMain.invoke('omo:drafts.save', fakeFrame(window.webContents.getURL()), {
      text: 'New arrivals',
    })) as { ok: true; value: { id: string } };
    expect(saved.ok).toBe(true);
    expect(window.webContents.sent).toContainEqual([IPC_EVENT_CHANNEL, 'drafts.changed', { ids: [saved.value.id] }]);
  });

  it('does not forward push events to a window showing a foreign page', async () => {
    const { fake } = await started();
    const window = onlyWindow(fake);
    const frame = fakeFrame(window.webContents.getURL());
    window.webContents.url = 'https://evil.example/';
    await fake.ipcMain.invoke('omo:drafts.save', frame, { text: 'x' });
    expect(window.webContents.sent).toEqual([]);
  });

  it('shows a clear error and quits when the core cannot start (e.g. a database from a newer version)', async () => {
    const message = 'The local database was written by a newer version of OMO Broadcast (schema 99).';
    const { fake, loggerClose } = await started(
      {},
      {
        createApp: () => {
          throw new Error(message);
        },
      },
    );
    expect(fake.dialog.showErrorBox).toHaveBeenCalledExactlyOnceWith('OMO Broadcast cannot start', message);
    expect(fake.app.quit).toHaveBeenCalled();
    expect(fake.BrowserWindow.created).toHaveLength(0);
    expect(fake.ipcMain.handlers.size).toBe(0);
    expect(loggerClose).toHaveBeenCalledOnce();
  });

  it('passes confirmClose to the window', async () => {
    const confirmClose = vi.fn(() => false);
    const { fake } = await started({}, { confirmClose });
    expect(onlyWindow(fake).close()).toBe(false);
    expect(confirmClose).toHaveBeenCalledOnce();
  });
});

describe('closing the window while a broadcast is sending', () => {
  /** A real core whose outbox says `sending()` broadcasts are under way. */
  async function sendingApp(sending: () => number, platform: NodeJS.Platform = 'linux') {
    let pushProgress: (() => void) | null = null;
    const run = await started({}, {
      platform,
      createApp: (deps): App => {
        const core = createApp(deps);
        const outbox = { ...core.outbox, active: () => Array.from({ length: sending() }, () => ({}) as ReturnType<App['outbox']['active']>[number]) };
        return {
          ...core,
          outbox,
          subscribe: (listener) => {
            pushProgress = () => listener('broadcast.progress', {} as never);
            return core.subscribe(listener);
          },
        };
      },
    });
    return { ...run, push: () => pushProgress?.() };
  }

  it('closes without asking when nothing is sending', async () => {
    const { fake } = await sendingApp(() => 0);
    expect(onlyWindow(fake).close()).toBe(true);
    expect(fake.dialog.showMessageBoxSync).not.toHaveBeenCalled();
  });

  it('asks (in zh-TW), and "keep sending in the background" hides the window; the app quits once the send is done', async () => {
    let sending = 1;
    const { fake, push } = await sendingApp(() => sending);
    const window = onlyWindow(fake);
    fake.answerDialogWith(0);
    expect(window.close()).toBe(false);
    const [, options] = fake.dialog.showMessageBoxSync.mock.calls[0] ?? [];
    expect(options?.buttons).toEqual(['在背景繼續傳送', '結束，下次開啟時繼續', '取消']);
    expect(window.hide).toHaveBeenCalledOnce();
    expect(fake.app.quit).not.toHaveBeenCalled();
    push();
    expect(fake.app.quit).not.toHaveBeenCalled();
    sending = 0;
    push();
    expect(fake.app.quit).toHaveBeenCalledOnce();
  });

  it('"quit" closes the window (the send resumes on the next start); "cancel" keeps it open', async () => {
    const first = await sendingApp(() => 2);
    first.fake.answerDialogWith(2);
    expect(onlyWindow(first.fake).close()).toBe(false);
    expect(onlyWindow(first.fake).hide).not.toHaveBeenCalled();
    first.fake.answerDialogWith(1);
    expect(onlyWindow(first.fake).close()).toBe(true);
    expect(first.fake.app.quit).toHaveBeenCalledOnce();
  });

  it('a second instance shows the hidden window again, and then nothing quits by itself', async () => {
    let sending = 1;
    const { fake, push } = await sendingApp(() => sending);
    const window = onlyWindow(fake);
    fake.answerDialogWith(0);
    window.close();
    fake.app.emit('second-instance', {}, ['omo'], '/');
    expect(window.show).toHaveBeenCalled();
    sending = 0;
    push();
    expect(fake.app.quit).not.toHaveBeenCalled();
  });
});

describe('lifecycle', () => {
  it('quits when the last window closes, except on macOS, where activate brings a window back', async () => {
    const linux = await started();
    onlyWindow(linux.fake).close();
    expect(linux.fake.app.quit).toHaveBeenCalledOnce();

    const mac = await started({}, { platform: 'darwin' });
    onlyWindow(mac.fake).close();
    expect(mac.fake.app.quit).not.toHaveBeenCalled();
    mac.fake.app.emit('activate', {}, false);
    expect(mac.fake.BrowserWindow.getAllWindows()).toHaveLength(1);
    expect(mac.handle.mainWindow()).toBe(mac.fake.BrowserWindow.getAllWindows()[0]);
    // A window already open: activate does not add another.
    mac.fake.app.emit('activate', {}, true);
    expect(mac.fake.BrowserWindow.getAllWindows()).toHaveLength(1);
  });

  it('shuts down exactly once: IPC unregistered, core (database) closed, logger closed', async () => {
    const { fake, coreClose, loggerClose } = await started();
    fake.app.quit();
    fake.app.emit('will-quit', {});
    fake.app.emit('will-quit', {});
    expect(coreClose).toHaveBeenCalledOnce();
    expect(loggerClose).toHaveBeenCalledOnce();
    expect(fake.ipcMain.handlers.size).toBe(0);
    expect(fake.ipcMain.removeHandler).toHaveBeenCalledTimes(methodNames.length);
  });

  it('shuts down cleanly when quit comes before ready', () => {
    const { fake, coreClose, loggerClose } = start();
    fake.app.quit();
    expect(coreClose).not.toHaveBeenCalled();
    expect(loggerClose).not.toHaveBeenCalled();
  });
});
