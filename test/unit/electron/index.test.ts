import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import * as electron from 'electron';
import { methodNames } from '../../../preload/contract';
import { type FakeElectron, fakeFrame } from './fake-electron';

// Hoisted with the mock, so the temp folder exists before the fake electron is built.
const userData = vi.hoisted(async () => {
  const { mkdtempSync: makeTemp } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  return { dir: makeTemp(join(tmpdir(), 'omo-entry-')) };
});
// The real entry, run against the fake electron: what Electron would run at launch.
vi.mock('electron', async () => {
  const { createFakeElectron } = await import('./fake-electron');
  return createFakeElectron({ userData: (await userData).dir });
});

const fake = electron as unknown as FakeElectron;
const OUT_MAIN = path.resolve(fileURLToPath(new URL('../../../main/electron', import.meta.url)));

const { dir } = await userData;
afterAll(() => {
  vi.unstubAllEnvs();
  fake.app.quit();
  rmSync(dir, { recursive: true, force: true });
});

describe('main/electron/index.ts', () => {
  it('starts the shell: lock, window with the bundled preload and renderer, IPC answering', async () => {
    vi.stubEnv('ELECTRON_RENDERER_URL', '');
    await import('../../../main/electron/index');
    expect(fake.app.requestSingleInstanceLock).toHaveBeenCalledOnce();

    fake.fireReady();
    await vi.waitFor(() => expect(fake.BrowserWindow.created).toHaveLength(1));
    const window = fake.BrowserWindow.created[0];
    if (!window) throw new Error('no window');
    // Paths are relative to the bundle (out/main/index.js): ../preload/index.cjs and ../renderer/index.html.
    const preferences = window.options.webPreferences as { preload: string; sandbox: boolean };
    expect(preferences.preload).toBe(path.resolve(OUT_MAIN, '../preload/index.cjs'));
    expect(preferences.sandbox).toBe(true);
    expect(window.loadFile).toHaveBeenCalledWith(path.resolve(OUT_MAIN, '../renderer/index.html'));

    expect(fake.ipcMain.handlers.size).toBe(methodNames.length);
    await expect(fake.ipcMain.invoke('omo:app.info', fakeFrame(window.webContents.getURL()), {})).resolves.toMatchObject({
      ok: true,
      value: { transport: 'electron', dataDir: dir },
    });
  });
});
