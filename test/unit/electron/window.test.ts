import { describe, expect, it, vi } from 'vitest';
import { createMainWindow } from '../../../main/electron/window';
import { webPreferencesFor } from '../../../main/electron/security';
import { createFakeElectron } from './fake-electron';

type WindowOptions = Parameters<typeof createMainWindow>[0];

function open(overrides: Partial<WindowOptions> = {}) {
  const fake = createFakeElectron();
  const window = createMainWindow({
    BrowserWindow: fake.BrowserWindow as unknown as WindowOptions['BrowserWindow'],
    preloadPath: '/app/out/preload/index.cjs',
    rendererIndexPath: '/app/out/renderer/index.html',
    devTools: false,
    ...overrides,
  });
  const created = fake.BrowserWindow.created[0];
  if (!created) throw new Error('no window was created');
  return { fake, window, created };
}

describe('createMainWindow', () => {
  it('creates a hidden, titled, sized window with the hardened web preferences', () => {
    const { created } = open();
    expect(created.options).toMatchObject({
      width: 1280,
      height: 800,
      minWidth: 960,
      minHeight: 600,
      title: 'OMO Broadcast',
      show: false,
    });
    expect(created.options.backgroundColor).toMatch(/^#[0-9a-f]{6}$/i);
    expect(created.options.webPreferences).toEqual(webPreferencesFor('/app/out/preload/index.cjs', { devTools: false }));
  });

  it('shows the window only once it is ready to show', () => {
    const { created } = open();
    expect(created.show).not.toHaveBeenCalled();
    created.emit('ready-to-show');
    expect(created.show).toHaveBeenCalledOnce();
  });

  it('loads the built renderer file, or the dev server when one is given', () => {
    const built = open().created;
    expect(built.loadFile).toHaveBeenCalledWith('/app/out/renderer/index.html');
    expect(built.loadURL).not.toHaveBeenCalled();

    const dev = open({ devServerUrl: 'http://localhost:5173' }).created;
    expect(dev.loadURL).toHaveBeenCalledWith('http://localhost:5173');
    expect(dev.loadFile).not.toHaveBeenCalled();
  });

  it('lets confirmClose keep the window open', () => {
    let allow = false;
    const { created } = open({ confirmClose: () => allow });
    expect(created.close()).toBe(false);
    allow = true;
    expect(created.close()).toBe(true);
  });

  it('logs a failed load instead of leaving an unhandled rejection', async () => {
    const fake = createFakeElectron();
    const error = vi.fn();
    const Failing = class extends fake.BrowserWindow {
      override readonly loadFile = vi.fn(async () => Promise.reject(new Error('ERR_FILE_NOT_FOUND')));
    };
    createMainWindow({
      BrowserWindow: Failing as unknown as WindowOptions['BrowserWindow'],
      preloadPath: '/p.cjs',
      rendererIndexPath: '/missing/index.html',
      devTools: false,
      logger: { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error },
    });
    await vi.waitFor(() => expect(error).toHaveBeenCalledOnce());
  });
});
