import type { BrowserWindow, BrowserWindowConstructorOptions } from 'electron';
import { APP_NAME } from '../app';
import { type Logger, silentLogger } from '../log';
import { webPreferencesFor } from './security';

/** The window's colour before the first paint, so a dark flash never shows. Matches the renderer's background. */
export const WINDOW_BACKGROUND = '#f7f7f8';

export interface MainWindowOptions {
  BrowserWindow: new (options: BrowserWindowConstructorOptions) => BrowserWindow;
  preloadPath: string;
  /** out/renderer/index.html; used unless a dev server is running. */
  rendererIndexPath: string;
  /** electron-vite's ELECTRON_RENDERER_URL in development. */
  devServerUrl?: string | undefined;
  devTools: boolean;
  icon?: string;
  /**
   * Asked when the user closes the window; false keeps it open (for example while a broadcast is being sent).
   * The lead extends this; by default the window just closes.
   */
  confirmClose?: () => boolean;
  logger?: Logger;
}

export function mainWindowOptions(options: MainWindowOptions): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 800,
    minWidth: 960,
    minHeight: 600,
    title: APP_NAME,
    backgroundColor: WINDOW_BACKGROUND,
    // Shown on 'ready-to-show', so the user never sees a blank frame.
    show: false,
    ...(options.icon === undefined ? {} : { icon: options.icon }),
    webPreferences: webPreferencesFor(options.preloadPath, { devTools: options.devTools }),
  };
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const logger = options.logger ?? silentLogger;
  const window = new options.BrowserWindow(mainWindowOptions(options));

  window.once('ready-to-show', () => window.show());

  window.on('close', (event) => {
    if (options.confirmClose && !options.confirmClose()) event.preventDefault();
  });

  const loading = options.devServerUrl
    ? window.loadURL(options.devServerUrl)
    : window.loadFile(options.rendererIndexPath);
  loading.catch((error: unknown) => logger.error('the window could not load the app', { error }));
  return window;
}
