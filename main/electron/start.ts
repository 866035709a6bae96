import path from 'node:path';
import type * as ElectronNamespace from 'electron';
import type { BrowserWindow } from 'electron';
import { type EventName, type EventPayload, IPC_EVENT_CHANNEL } from '../../preload/contract';
import { APP_NAME, type App, type AppDeps, createApp } from '../app';
import { contentSecurityPolicy } from '../csp';
import { type Logger, createFileLogger } from '../log';
import { createAppUrlPolicy } from './app-url';
import { isTrustedSenderFor, registerContractHandlers } from './ipc';
import { askBeforeClosing } from './close-guard';
import { handleMediaProtocol, registerMediaScheme } from './media-protocol';
import { ElectronNetworkStatus } from './network';
import { createOpener } from './opener';
import { devServerPolicy, hardenAllWebContents, hardenSession } from './security';
import { SafeStorageVault } from './vault';
import { createMainWindow } from './window';

/** Must equal electron-builder.yml's appId: Windows groups the taskbar and notifications by it. */
export const APP_USER_MODEL_ID = 'tw.omo.broadcast';

/** The parts of the electron module the shell uses; tests pass a fake with the same shape. */
export type ElectronApi = Pick<
  typeof ElectronNamespace,
  'app' | 'BrowserWindow' | 'dialog' | 'ipcMain' | 'net' | 'protocol' | 'safeStorage' | 'session' | 'shell'
>;

export type ClosableLogger = Logger & { close(): void };

export interface StartOptions {
  /** out/preload/index.cjs */
  preloadPath: string;
  /** out/renderer */
  rendererDir: string;
  /** ELECTRON_RENDERER_URL; ignored in a packaged app so an environment variable cannot point it at a website. */
  devServerUrl?: string | undefined;
  platform?: NodeJS.Platform;
  /** Asked before the main window closes (see window.ts). */
  confirmClose?: () => boolean;
  /** Injection points for tests; production uses the real ones. */
  createApp?: (deps: AppDeps) => App;
  createLogger?: (options: { dir: string; secrets?: () => Iterable<string> }) => ClosableLogger;
}

export interface ElectronAppHandle {
  /** False when another instance holds the lock: this one quits at once. */
  readonly primary: boolean;
  /** Settles once startup has finished, failed visibly, or was skipped. Never rejects. */
  readonly ready: Promise<void>;
  core(): App | null;
  mainWindow(): BrowserWindow | null;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The Electron shell: lifecycle, window, hardening, IPC and push forwarding around main's core. Everything it does
 * is composed from the small modules beside it, so a fake `electron` can drive it end to end.
 */
export function startElectronApp(electron: ElectronApi, options: StartOptions): ElectronAppHandle {
  const { app, BrowserWindow } = electron;
  const platform = options.platform ?? process.platform;

  if (!app.requestSingleInstanceLock()) {
    // Two instances would share one database and could send the same broadcast twice.
    app.quit();
    return { primary: false, ready: Promise.resolve(), core: () => null, mainWindow: () => null };
  }

  app.setAppUserModelId(APP_USER_MODEL_ID);
  // Sandboxes every renderer, including any created by code that forgot webPreferencesFor.
  app.enableSandbox();
  // Electron takes privileged schemes only before 'ready'; omo-media: carries the avatars main caches (DESIGN §6).
  registerMediaScheme(electron.protocol);

  const devTools = !app.isPackaged;
  const devServerUrl = app.isPackaged ? undefined : options.devServerUrl;
  const urls = createAppUrlPolicy({ rendererDir: options.rendererDir, devServerUrl, devTools });

  let fileLogger: ClosableLogger | null = null;
  let vault: SafeStorageVault | null = null;
  let network: ElectronNetworkStatus | null = null;
  let core: App | null = null;
  let window: BrowserWindow | null = null;
  let unregisterIpc: (() => void) | null = null;
  let unsubscribePush: (() => void) | null = null;
  let shutDown = false;

  // Modules are wired before the file logger exists (it needs the ready app); they log through this.
  const logger: Logger = {
    debug: (message, fields) => fileLogger?.debug(message, fields),
    info: (message, fields) => fileLogger?.info(message, fields),
    warn: (message, fields) => fileLogger?.warn(message, fields),
    error: (message, fields) => fileLogger?.error(message, fields),
  };

  const openExternal = createOpener(electron.shell, logger);
  hardenAllWebContents(app, { isAppUrl: urls.isAppUrl, openExternal });

  /** Hidden by "keep sending in the background": the app quits once every send has finished (not on macOS). */
  let hiddenWhileSending = false;

  const confirmCloseWhileSending = (target: BrowserWindow): boolean => {
    const sending = core?.outbox.active().length ?? 0;
    if (sending === 0 || shutDown || core === null) return true;
    const choice = askBeforeClosing(electron.dialog, target, core.language(), sending);
    if (choice === 'background') {
      hiddenWhileSending = true;
      target.hide();
      return false;
    }
    return choice === 'quit';
  };

  const quitWhenSendsFinish = (): void => {
    if (!hiddenWhileSending || shutDown || core === null || core.outbox.active().length > 0) return;
    hiddenWhileSending = false;
    if (platform !== 'darwin') app.quit();
  };

  const openMainWindow = (): BrowserWindow => {
    const created: BrowserWindow = createMainWindow({
      BrowserWindow,
      preloadPath: options.preloadPath,
      rendererIndexPath: path.join(options.rendererDir, 'index.html'),
      devServerUrl,
      devTools,
      confirmClose: options.confirmClose ?? (() => confirmCloseWhileSending(created)),
      logger,
    });
    created.on('closed', () => {
      if (window === created) window = null;
    });
    window = created;
    return created;
  };

  const forwardPush = <E extends EventName>(name: E, payload: EventPayload<E>): void => {
    for (const target of BrowserWindow.getAllWindows()) {
      if (target.isDestroyed() || target.webContents.isDestroyed()) continue;
      // Only the app's own page gets events; a window that somehow navigated away does not.
      if (!urls.isAppUrl(target.webContents.getURL())) continue;
      target.webContents.send(IPC_EVENT_CHANNEL, name, payload);
    }
  };

  const fail = (title: string, error: unknown): void => {
    logger.error(title, { error });
    electron.dialog.showErrorBox(title, describe(error));
    app.quit();
  };

  const onReady = (): void => {
    // Quit before ready (for example a second-instance race): nothing is started that nobody would stop.
    if (shutDown) return;
    hardenSession(electron.session.defaultSession, {
      isAppUrl: urls.isAppUrl,
      isAllowedRequest: urls.isAllowedRequest,
      csp: devServerUrl ? devServerPolicy(contentSecurityPolicy()) : contentSecurityPolicy(),
      logger,
    });

    const dataDir = app.getPath('userData');
    const makeLogger = options.createLogger ?? createFileLogger;
    fileLogger = makeLogger({ dir: path.join(dataDir, 'logs'), secrets: () => [...(vault?.secretValues() ?? []), ...(core?.secretValues() ?? [])] });
    vault = new SafeStorageVault(electron.safeStorage, path.join(dataDir, 'vault.json'), logger);
    network = new ElectronNetworkStatus(electron.net);

    try {
      core = (options.createApp ?? createApp)({
        dataDir,
        version: app.getVersion(),
        transport: 'electron',
        vault,
        network,
        logger,
        platform,
      });
    } catch (error) {
      // For example a database written by a newer version: its message says so, and the user must see it.
      fail(`${APP_NAME} cannot start`, error);
      return;
    }

    const started = core;
    // Registered before the window exists, so the first paint's avatars already resolve.
    handleMediaProtocol(
      electron.protocol,
      () => (shutDown ? null : { avatar: (eventId) => started.avatar(eventId), image: (sha256, variant) => started.image(sha256, variant) }),
      logger,
    );
    unregisterIpc = registerContractHandlers(electron.ipcMain, core.dispatch, isTrustedSenderFor(urls.isAppUrl), logger);
    unsubscribePush = core.subscribe((name, payload) => {
      forwardPush(name, payload);
      if (name === 'broadcast.progress') quitWhenSendsFinish();
    });
    openMainWindow();
    logger.info('app started', { version: app.getVersion(), packaged: app.isPackaged });
  };

  const shutdown = (): void => {
    if (shutDown) return;
    shutDown = true;
    unregisterIpc?.();
    unsubscribePush?.();
    network?.close();
    core?.close();
    logger.info('app stopped');
    fileLogger?.close();
  };

  app.on('second-instance', () => {
    if (!window || window.isDestroyed()) return;
    hiddenWhileSending = false;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  });

  app.on('activate', () => {
    // macOS keeps the app running with no window; clicking the dock icon brings one back.
    if (core && !shutDown && BrowserWindow.getAllWindows().length === 0) openMainWindow();
  });

  app.on('window-all-closed', () => {
    if (platform !== 'darwin') app.quit();
  });

  app.on('will-quit', shutdown);

  const ready = app.whenReady().then(
    () => {
      try {
        onReady();
      } catch (error) {
        fail(`${APP_NAME} cannot start`, error);
      }
    },
    (error: unknown) => fail(`${APP_NAME} cannot start`, error),
  );

  return { primary: true, ready, core: () => core, mainWindow: () => window };
}
