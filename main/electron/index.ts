/** The main-process entry electron-vite builds (out/main/index.js): the shell around main's core. */
import { fileURLToPath } from 'node:url';
import { BrowserWindow, app, dialog, ipcMain, net, protocol, safeStorage, session, shell } from 'electron';
import { startElectronApp } from './start';

startElectronApp(
  { app, BrowserWindow, dialog, ipcMain, net, protocol, safeStorage, session, shell },
  {
    // Paths are relative to this bundle in out/main, where electron-vite puts the preload and renderer beside it.
    preloadPath: fileURLToPath(new URL('../preload/index.cjs', import.meta.url)),
    rendererDir: fileURLToPath(new URL('../renderer', import.meta.url)),
    devServerUrl: process.env['ELECTRON_RENDERER_URL'],
  },
);
